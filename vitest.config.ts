import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'plugins/**/*.test.ts', 'core/**/*.test.ts'],
    // *.lab.test.ts need inputs that only the lab machine has: `npm run test:lab`
    exclude: ['**/node_modules/**', '**/*.lab.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
