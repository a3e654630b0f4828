import type { TestProject } from 'vitest/node';
import { describeServer, HOW_TO_GET_A_SERVER, startEmbeddedServer, type ServerKind } from '../../src/server/embeddedServer.js';
import { redactUri } from '../../src/errors.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    serverKind: ServerKind;
    serverDescription: string;
  }
}

/**
 * One server per test run: MONGODB_URI, else mongodb-memory-server, else FerretDB on PostgreSQL
 * (when installed), else FerretDB on SQLite; CHRONICLE_TEST_BACKEND=postgresql|sqlite forces a backend.
 * Never skips: without a server the run fails and says how to get one.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (msg: string) => console.log(`[chronicle test server] ${msg}`);
  const started = Date.now();
  const external = process.env.MONGODB_URI;
  if (external) {
    let info;
    try {
      info = await describeServer(external, 5_000);
    } catch (err) {
      throw new Error(`MONGODB_URI is set but unusable: ${(err as Error).message}\n${HOW_TO_GET_A_SERVER}`, { cause: err });
    }
    log(`using MONGODB_URI ${redactUri(external)}: ${info.description}`);
    project.provide('mongoUri', external);
    project.provide('serverKind', 'external');
    project.provide('serverDescription', info.description);
    return async () => {};
  }
  const server = await startEmbeddedServer({ log });
  log(`using ${server.kind} at ${server.uri}: ${server.info.description} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  project.provide('mongoUri', server.uri);
  project.provide('serverKind', server.kind);
  project.provide('serverDescription', server.info.description);
  return async () => {
    await server.stop();
  };
}
