import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real server for the run: MONGODB_URI, else mongodb-memory-server, else FerretDB.
    globalSetup: ['chronicle-es/testing/global-setup'],
  },
});
