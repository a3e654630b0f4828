import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startFerretDb, startFerretDbOnPostgres } from './ferretdbLauncher.js';
import { startPostgresCluster } from './postgresCluster.js';

/** Where FerretDB keeps its data. */
export type FerretDbBackend = 'postgresql' | 'sqlite';

export interface FerretDbServerOptions {
  backend: FerretDbBackend;
  binaryPath: string;
  /** 127.0.0.1 port; a free one when absent. */
  port?: number;
  /** Keep the data in `<dataDir>/postgresql` or `<dataDir>/sqlite`; temporary (removed on stop) when absent. */
  dataDir?: string;
  log?: (msg: string) => void;
}

export interface RunningFerretDb {
  uri: string;
  /** e.g. "PostgreSQL 15.18" or "SQLite". */
  backendDescription: string;
  /** Stops FerretDB, then its PostgreSQL; removes temporary data. */
  stop(): Promise<void>;
}

/** Starts FerretDB on the chosen backend (for PostgreSQL, on a cluster of its own). */
export async function startFerretDbServer(opts: FerretDbServerOptions): Promise<RunningFerretDb> {
  const log = opts.log ?? (() => {});
  const listen = `127.0.0.1:${opts.port ?? 0}`;
  if (opts.backend === 'sqlite') {
    const fdb = await startFerretDb({ binaryPath: opts.binaryPath, listen, dataDir: opts.dataDir && join(opts.dataDir, 'sqlite') });
    return {
      uri: fdb.uri,
      backendDescription: 'SQLite',
      stop: async () => {
        await fdb.stop();
        if (!opts.dataDir) await rm(fdb.dataDir, { recursive: true, force: true });
      },
    };
  }
  const started = Date.now();
  const cluster = await startPostgresCluster({ dataDir: opts.dataDir && join(opts.dataDir, 'postgresql'), log });
  log(`PostgreSQL ${cluster.install.version} ready in ${Date.now() - started} ms (${opts.dataDir ? `data kept in ${cluster.baseDir}` : `throwaway cluster in ${cluster.baseDir}`}, port ${cluster.port})`);
  try {
    const fdb = await startFerretDbOnPostgres({ binaryPath: opts.binaryPath, listen, postgresqlUrl: cluster.url });
    return {
      uri: fdb.uri,
      backendDescription: `PostgreSQL ${cluster.install.version}`,
      stop: async () => {
        try {
          await fdb.stop();
        } finally {
          await cluster.stop();
        }
      },
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
