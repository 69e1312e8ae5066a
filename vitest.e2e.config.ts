import { defineConfig } from 'vitest/config';

// End-to-end tests with the real agent CLIs (npm run test:e2e installs them first).
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
