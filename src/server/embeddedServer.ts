import { MongoClient } from 'mongodb';
import { ChronicleError, redactUri } from '../errors.js';
import { ensureLauncherBinary, startFerretDb } from './ferretdbLauncher.js';
import { probeMemoryServer, startMemoryServer } from './memoryServer.js';

export type ServerKind = 'external' | 'mongodb-memory-server' | 'ferretdb';

export interface ServerInfo {
  /** e.g. "MongoDB 8.2.6" or "FerretDB v1.24.2 (MongoDB 7.0.42 wire)". */
  description: string;
  mongodbVersion: string;
  ferretdbVersion: string | null;
}

export interface EmbeddedServer {
  kind: ServerKind;
  uri: string;
  info: ServerInfo;
  /** Present for FerretDB: the SQLite folder, to restart a server on the same data. */
  dataDir?: string;
  stop(): Promise<void>;
}

/** The three ways to get a server, for error messages. */
export const HOW_TO_GET_A_SERVER = [
  'Chronicle needs a MongoDB-compatible server. Any one of these works:',
  '  1. set MONGODB_URI to a running MongoDB (e.g. `docker compose up -d mongo` and MONGODB_URI=mongodb://localhost:27017/?replicaSet=rs0),',
  '  2. let mongodb-memory-server start a mongod: put `mongod` on PATH, set MONGOMS_SYSTEM_BINARY, or allow it to download one,',
  '  3. install Go (>= 1.22) so the bundled FerretDB launcher (tools/ferretdb-launcher) can be built from the Go module proxy.',
].join('\n');

/** Connects briefly, pings, and reads `buildInfo`; fails fast with a readable message. */
export async function describeServer(uri: string, timeoutMs = 5_000): Promise<ServerInfo> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await client.connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    const mongodbVersion = String(info.version);
    const ferretdbVersion = typeof info.ferretdbVersion === 'string' ? info.ferretdbVersion : null;
    return {
      mongodbVersion,
      ferretdbVersion,
      description: ferretdbVersion ? `FerretDB ${ferretdbVersion} (MongoDB ${mongodbVersion} wire)` : `MongoDB ${mongodbVersion}`,
    };
  } catch (err) {
    throw new ChronicleError('CONNECTION', `cannot reach MongoDB at ${redactUri(uri)}: ${(err as Error).message}`, { cause: err });
  } finally {
    await client.close().catch(() => {});
  }
}

export interface StartServerOptions {
  log?: (msg: string) => void;
  /** Skip mongodb-memory-server and go straight to FerretDB. */
  preferFerretDb?: boolean;
  /** Listen on 127.0.0.1:port (default: a free port). */
  port?: number;
  /** Keep the data in this folder across restarts (default: a temporary folder). */
  dataDir?: string;
}

/**
 * Starts a server for tests or for `npm start` without configuration: mongodb-memory-server
 * when a mongod is available, else FerretDB through the Go launcher. Throws with
 * HOW_TO_GET_A_SERVER when neither works.
 */
export async function startEmbeddedServer(opts: StartServerOptions = {}): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => {});
  const problems: string[] = [];
  if (!opts.preferFerretDb && !process.env.CHRONICLE_FORCE_FERRETDB) {
    const probe = await probeMemoryServer();
    if (probe.usable) {
      try {
        const mem = await startMemoryServer({ ...(opts.port !== undefined ? { port: opts.port } : {}), ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}) });
        return { kind: 'mongodb-memory-server', uri: mem.uri, info: await describeServer(mem.uri), stop: mem.stop };
      } catch (err) {
        problems.push((err as Error).message);
      }
    } else {
      problems.push(`mongodb-memory-server: ${probe.reason}`);
      log(`mongodb-memory-server not usable: ${probe.reason}; falling back to FerretDB`);
    }
  }
  try {
    const bin = await ensureLauncherBinary(log);
    if (bin.built) log(`built the FerretDB launcher in ${(bin.buildMs / 1000).toFixed(1)} s`);
    const fdb = await startFerretDb({
      binaryPath: bin.path,
      ...(opts.port !== undefined ? { listen: `127.0.0.1:${opts.port}` } : {}),
      ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
    });
    return { kind: 'ferretdb', uri: fdb.uri, dataDir: fdb.dataDir, info: await describeServer(fdb.uri), stop: fdb.stop };
  } catch (err) {
    problems.push(`FerretDB: ${(err as Error).message}`);
  }
  throw new ChronicleError('CONNECTION', `no test server available.\n${problems.map((p) => `  - ${p}`).join('\n')}\n${HOW_TO_GET_A_SERVER}`);
}
