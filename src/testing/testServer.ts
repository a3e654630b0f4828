import { redactUri } from '../errors.js';
import { describeServer, HOW_TO_GET_A_SERVER, startEmbeddedServer, type ServerKind } from '../server/embeddedServer.js';

/** A server for one test run. */
export interface TestServer {
  uri: string;
  kind: ServerKind;
  /** e.g. "FerretDB v1.24.2 (MongoDB 7.0.42 wire)". */
  description: string;
  /** Stops a server this call started; a no-op for `MONGODB_URI`. */
  stop(): Promise<void>;
}

/**
 * One server for a test run: `MONGODB_URI` when set (pinged; fails fast when unusable), else
 * mongodb-memory-server when a mongod is available (install it next to Chronicle), else
 * FerretDB built by the bundled launcher (needs Go). Never pretends: without a server it
 * throws and says how to get one.
 */
export async function startTestServer(opts: { log?: (msg: string) => void; env?: NodeJS.ProcessEnv } = {}): Promise<TestServer> {
  const log = opts.log ?? (() => {});
  const external = (opts.env ?? process.env).MONGODB_URI;
  if (external) {
    let info;
    try {
      info = await describeServer(external, 5_000);
    } catch (err) {
      throw new Error(`MONGODB_URI is set but unusable: ${(err as Error).message}\n${HOW_TO_GET_A_SERVER}`, { cause: err });
    }
    log(`using MONGODB_URI ${redactUri(external)}: ${info.description}`);
    return { uri: external, kind: 'external', description: info.description, stop: async () => {} };
  }
  const started = Date.now();
  const server = await startEmbeddedServer({ log });
  log(`using ${server.kind} at ${server.uri}: ${server.info.description} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return { uri: server.uri, kind: server.kind, description: server.info.description, stop: () => server.stop() };
}
