import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/browser runs in Chromium: vitest.browser.config.ts (part of `npm test`).
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    reporters: ['default', './test/support/count-reporter.ts'],
    testTimeout: 60_000,
    // Setup that runs a real-data experiment (beforeAll) gets the same allowance as a test: on a
    // loaded 2-core machine the breast-cancer retraining alone takes over the 10 s default.
    hookTimeout: 60_000,
  },
});
