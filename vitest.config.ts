import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/browser runs in Chromium: vitest.browser.config.ts (part of `npm test`).
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    reporters: ['default', './test/support/count-reporter.ts'],
    testTimeout: 60_000,
  },
});
