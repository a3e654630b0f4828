import type { TestProject } from 'vitest/node';
import { startTestServer } from './testServer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URI of the run's server, for `useTestChronicle`. */
    chronicleMongoUri: string;
  }
}

/**
 * A vitest `globalSetup` giving the whole run one real server (see `startTestServer`):
 * `globalSetup: ['chronicle-es/testing/global-setup']` in vitest.config.ts. Test files then
 * call `useTestChronicle()` from `chronicle-es/testing/vitest` for a fresh database each.
 */
export default async function chronicleGlobalSetup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestServer({ log: (msg) => console.log(`[chronicle test server] ${msg}`) });
  project.provide('chronicleMongoUri', server.uri);
  return () => server.stop();
}
