import type { TestProject } from 'vitest/node';
import type { ServerKind } from '../../src/server/embeddedServer.js';
import { startTestServer } from '../../src/testing/testServer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    serverKind: ServerKind;
    serverDescription: string;
  }
}

/**
 * One server per test run: MONGODB_URI, else mongodb-memory-server, else FerretDB — the same
 * helper apps get from `chronicle-es/testing/global-setup`. Never skips: without a server the
 * run fails and says how to get one.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestServer({ log: (msg) => console.log(`[chronicle test server] ${msg}`) });
  project.provide('mongoUri', server.uri);
  project.provide('chronicleMongoUri', server.uri);
  project.provide('serverKind', server.kind);
  project.provide('serverDescription', server.description);
  return () => server.stop();
}
