/**
 * `npm test`: the node suite (vitest.config.ts, unchanged) and, when a Chromium can be found,
 * the browser suite, in ONE vitest run as two projects, so the count reporter's closing line
 * covers both and a failure in either fails the run. `npx vitest run` alone runs only the node
 * suite.
 *
 * The browser project runs test/browser/*.browser.test.ts in a real headless Chromium page,
 * driven by Playwright. No browser is ever downloaded: see test/support/chromium.ts for where
 * one is looked for (TAPEGRAD_CHROMIUM first). Without one, the node suite still runs and one
 * line says the browser suite was skipped and how to enable it — except under CI=true, where a
 * missing browser is a failure (CI installs it).
 */
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import nodeConfig from './vitest.config.ts';
import { findChromium } from './test/support/chromium.ts';

const search = findChromium();
if (search.found === undefined) {
  if (process.env['CI'] === 'true') {
    throw new Error(`CI=true needs the browser suite, but ${search.reason}`);
  }
  // The count reporter repeats this as the run's last line, where it will be seen.
  process.env['TAPEGRAD_BROWSER_SKIPPED'] = `browser suite skipped: ${search.reason}`;
  console.log(process.env['TAPEGRAD_BROWSER_SKIPPED']);
}

const browserProject = {
  test: {
    name: 'browser',
    include: ['test/browser/**/*.browser.test.ts'],
    testTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: search.found,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            // Without these Chromium keeps dialling out (updates, sync, safe browsing),
            // which on a closed network is a flood of refused connections.
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      }),
      instances: [{ browser: 'chromium' as const }],
    },
  },
};

export default defineConfig({
  test: {
    // Root-level options are not inherited by projects: take the node config's reporters.
    reporters: nodeConfig.test?.reporters ?? ['default', './test/support/count-reporter.ts'],
    projects: [
      { extends: './vitest.config.ts', test: { name: 'node' } },
      ...(search.found === undefined ? [] : [browserProject]),
    ],
  },
});
