import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import { ChronicleError, redactUri } from '../errors.js';
import { ensureLauncherBinary } from './ferretdbLauncher.js';
import { startFerretDbServer, type FerretDbBackend } from './ferretdbServer.js';
import { probeMemoryServer, startMemoryServer } from './memoryServer.js';
import { findPostgres } from './postgresInstall.js';

export type { FerretDbBackend } from './ferretdbServer.js';

/** Which server a run uses; FerretDB's names its backend. */
export type ServerKind = 'external' | 'mongodb-memory-server' | 'ferretdb-postgresql' | 'ferretdb-sqlite';

export interface ServerInfo {
  /** e.g. "MongoDB 8.2.6" or "FerretDB v1.24.2 / PostgreSQL 15.18 (MongoDB 7.0.42 wire)". */
  description: string;
  mongodbVersion: string;
  ferretdbVersion: string | null;
  /** FerretDB's storage, e.g. "PostgreSQL 15.18" or "SQLite 3.46.0"; null for MongoDB or when FerretDB does not say. */
  backend: string | null;
}

export interface EmbeddedServer {
  kind: ServerKind;
  uri: string;
  info: ServerInfo;
  /** The folder given as `dataDir` (kept after stop); absent for temporary data, which stop() removes. */
  dataDir?: string;
  stop(): Promise<void>;
}

/** The three ways to get a server, for error messages. */
export const HOW_TO_GET_A_SERVER = [
  'Chronicle needs a MongoDB-compatible server. Any one of these works:',
  '  1. set MONGODB_URI to a running MongoDB (e.g. `docker compose up -d mongo` and MONGODB_URI=mongodb://localhost:27017/?replicaSet=rs0),',
  '  2. let mongodb-memory-server start a mongod: put `mongod` on PATH, set MONGOMS_SYSTEM_BINARY, or allow it to download one,',
  '  3. install Go (>= 1.22) so the bundled FerretDB launcher (tools/ferretdb-launcher) can be built from the Go module proxy',
  '     (it stores data in PostgreSQL when a PostgreSQL server is installed, e.g. `apt-get install postgresql`, else in SQLite).',
].join('\n');

/** Connects briefly, pings, and reads `buildInfo` (and FerretDB's backend); fails fast with a readable message. */
export async function describeServer(uri: string, timeoutMs = 5_000): Promise<ServerInfo> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await client.connect();
    const admin = client.db('admin');
    const info = await admin.command({ buildInfo: 1 });
    const mongodbVersion = String(info.version);
    const ferretdbVersion = typeof info.ferretdbVersion === 'string' ? info.ferretdbVersion : null;
    let backend: string | null = null;
    if (ferretdbVersion) {
      // FerretDB names its backend in its startup warnings once it has talked to it.
      await admin.command({ listDatabases: 1, nameOnly: true }).catch(() => {});
      const log = await admin.command({ getLog: 'startupWarnings' }).catch(() => null);
      const lines = Array.isArray(log?.log) ? (log.log as unknown[]).map(String) : [];
      const m = lines.map((l) => / and (\S+) (\d+(?:\.\d+)*)/.exec(l)).find(Boolean);
      if (m) backend = `${m[1]} ${m[2]}`;
    }
    return {
      mongodbVersion,
      ferretdbVersion,
      backend,
      description: ferretdbVersion ? `FerretDB ${ferretdbVersion}${backend ? ` / ${backend}` : ''} (MongoDB ${mongodbVersion} wire)` : `MongoDB ${mongodbVersion}`,
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
  /** FerretDB's backend; else CHRONICLE_TEST_BACKEND; else PostgreSQL when installed, SQLite otherwise. Implies FerretDB. */
  backend?: FerretDbBackend;
  /** Listen on 127.0.0.1:port; a free port when absent. */
  port?: number;
  /** Keep the data in this folder, reuse it on the next start, and leave it on stop. Temporary data otherwise. */
  dataDir?: string;
}

const BACKEND_ENV = 'CHRONICLE_TEST_BACKEND';

function forcedBackend(opts: StartServerOptions): { backend: FerretDbBackend; why: string } | null {
  if (opts.backend) return { backend: opts.backend, why: 'asked for by the caller' };
  const env = process.env[BACKEND_ENV];
  if (env === undefined || env === '') return null;
  if (env !== 'postgresql' && env !== 'sqlite') {
    throw new ChronicleError('CONFIG', `${BACKEND_ENV} must be "postgresql" or "sqlite", got "${env}"`);
  }
  return { backend: env, why: `${BACKEND_ENV}=${env}` };
}

/**
 * Starts a server for tests, `npm start`, the bench or a dev server: mongodb-memory-server when a
 * mongod is available, else FerretDB on PostgreSQL when a PostgreSQL server is installed, else
 * FerretDB on SQLite; `backend` (or CHRONICLE_TEST_BACKEND) picks a FerretDB backend outright. Logs
 * which server and why. Throws with HOW_TO_GET_A_SERVER when nothing works.
 */
export async function startEmbeddedServer(opts: StartServerOptions = {}): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => {});
  const problems: string[] = [];
  const dataDir = opts.dataDir === undefined ? undefined : resolve(opts.dataDir);
  const forced = forcedBackend(opts);
  if (!forced && !opts.preferFerretDb && !process.env.CHRONICLE_FORCE_FERRETDB) {
    const probe = await probeMemoryServer();
    if (probe.usable) {
      try {
        const dbPath = dataDir && join(dataDir, 'mongodb');
        if (dbPath) await mkdir(dbPath, { recursive: true });
        const mem = await startMemoryServer({ port: opts.port, dbPath });
        log(`using mongodb-memory-server: ${probe.reason}`);
        return { kind: 'mongodb-memory-server', uri: mem.uri, info: await describeServer(mem.uri), dataDir, stop: mem.stop };
      } catch (err) {
        problems.push((err as Error).message);
      }
    } else {
      problems.push(`mongodb-memory-server: ${probe.reason}`);
      log(`mongodb-memory-server not usable: ${probe.reason}; falling back to FerretDB`);
    }
  }
  try {
    const choice = forced ?? (await chooseBackend(dataDir));
    log(`FerretDB backend: ${choice.backend} (${choice.why})`);
    const bin = await ensureLauncherBinary(log);
    if (bin.built) log(`built the FerretDB launcher in ${(bin.buildMs / 1000).toFixed(1)} s`);
    const server = await startFerretDbServer({ backend: choice.backend, binaryPath: bin.path, port: opts.port, dataDir, log });
    try {
      const info = await describeServer(server.uri);
      if (!info.backend) {
        info.backend = server.backendDescription;
        info.description = `FerretDB ${info.ferretdbVersion} / ${server.backendDescription} (MongoDB ${info.mongodbVersion} wire)`;
      }
      return { kind: `ferretdb-${choice.backend}`, uri: server.uri, info, dataDir, stop: server.stop };
    } catch (err) {
      await server.stop();
      throw err;
    }
  } catch (err) {
    problems.push(`FerretDB: ${(err as Error).message}`);
  }
  throw new ChronicleError('CONNECTION', `no test server available.\n${problems.map((p) => `  - ${p}`).join('\n')}\n${HOW_TO_GET_A_SERVER}`);
}

/** PostgreSQL when installed (or when `dataDir` already holds its data), else SQLite, with the reason. */
async function chooseBackend(dataDir: string | undefined): Promise<{ backend: FerretDbBackend; why: string }> {
  if (dataDir && existsSync(join(dataDir, 'sqlite')) && !existsSync(join(dataDir, 'postgresql'))) {
    return { backend: 'sqlite', why: `${dataDir} holds SQLite data` };
  }
  const pg = await findPostgres();
  if (pg.found) return { backend: 'postgresql', why: `PostgreSQL ${pg.install.version} found in ${pg.install.binDir}` };
  return { backend: 'sqlite', why: `${pg.reason}; install PostgreSQL (e.g. apt-get install postgresql) for indexed queries` };
}
