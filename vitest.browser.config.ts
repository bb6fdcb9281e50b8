/**
 * `npm test`: the node suite (vitest.config.ts, unchanged) and the browser suite in ONE vitest
 * run, as two projects, so the count reporter's closing line covers both and a failure in either
 * fails the run. `npx vitest run` alone still runs only the node suite.
 *
 * The browser project runs test/browser/*.browser.test.ts in a real headless Chromium page,
 * driven by Playwright. No browser is ever downloaded: Playwright launches the system Chromium
 * (Debian's `chromium`, which .ci/run installs with apt-get when missing). Override its path
 * with TAPEGRAD_CHROMIUM.
 */
import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import nodeConfig from './vitest.config.ts';

const chromium = process.env['TAPEGRAD_CHROMIUM'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (chromium === undefined || !existsSync(chromium)) {
  throw new Error(
    'vitest.browser.config.ts: no Chromium found at /usr/bin/chromium; install it with ' +
      '`apt-get install -y chromium` (Debian) or set TAPEGRAD_CHROMIUM to a Chromium binary. ' +
      'Do not run `npx playwright install`: the tests use the system browser.',
  );
}

export default defineConfig({
  test: {
    // Root-level options are not inherited by projects: take the node config's reporters.
    reporters: nodeConfig.test?.reporters ?? ['default', './test/support/count-reporter.ts'],
    projects: [
      { extends: './vitest.config.ts', test: { name: 'node' } },
      {
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
                executablePath: chromium,
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
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
