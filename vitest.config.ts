import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: two files at a time keeps the shared server busy without starving it.
    maxWorkers: 2,
    projects: [
      // No server: pure functions, schemas, the given/when/then helper.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // One real server per run (MONGODB_URI, mongodb-memory-server or FerretDB), one database per file.
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], globalSetup: ['test/support/globalSetup.ts'] } },
    ],
  },
});
