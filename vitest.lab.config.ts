import { defineConfig } from 'vitest/config';

/** Lab-only checks on large inputs that are not committed (npm run test:lab). */
export default defineConfig({
  test: {
    include: ['test/**/*.lab.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
