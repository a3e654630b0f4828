import { defineConfig } from 'vitest/config';

// CHRONICLE_MONGODB_DRIVER=7 runs the library and the tests on driver 7 (the `mongodb7` npm
// alias) instead of the default `mongodb` (driver 6): mongodb is a peer dependency, so an app
// may bring either major.
const driver7 = process.env.CHRONICLE_MONGODB_DRIVER === '7';

export default defineConfig({
  resolve: driver7 ? { alias: [{ find: /^mongodb$/, replacement: 'mongodb7' }] } : {},
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
