import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { createChronicle, type Chronicle, type ChronicleOptions } from '../chronicle.js';
import { ConfigError } from '../errors.js';
import { migrate } from '../migrations/migrate.js';
import './globalSetup.js';

export interface TestChronicle {
  readonly uri: string;
  readonly client: MongoClient;
  readonly db: Db;
  readonly chronicle: Chronicle;
}

export interface UseTestChronicleOptions extends ChronicleOptions {
  /** Recognisable part of the database name (e.g. the test file's name). */
  name?: string;
  /** Apply the migrations before the tests (default true). */
  migrate?: boolean;
}

function serverUri(): string {
  let uri: string | undefined;
  try {
    uri = inject('chronicleMongoUri');
  } catch {
    uri = undefined;
  }
  uri ??= process.env.MONGODB_URI;
  if (!uri) {
    throw new ConfigError(
      "no test server: add globalSetup: ['chronicle-es/testing/global-setup'] to the vitest config (or set MONGODB_URI)",
    );
  }
  return uri;
}

/**
 * A fresh, migrated database on the run's server for the calling test file, with a Chronicle
 * over it; dropped after the file's tests. Call it at the top level of a test file; read its
 * properties inside tests or hooks.
 */
export function useTestChronicle(opts: UseTestChronicleOptions = {}): TestChronicle {
  const { name = 'test', migrate: doMigrate = true, ...chronicleOpts } = opts;
  // Short simple names: FerretDB's SQLite backend is strict about database names.
  const dbName = `t_${name.replace(/\.[cm]?[jt]s$/, '').replace(/[^a-zA-Z0-9]/g, '_').slice(-30)}_${randomBytes(3).toString('hex')}`;
  const uri = serverUri();
  let client: MongoClient | undefined;
  let chronicle: Chronicle | undefined;

  beforeAll(async () => {
    client = await new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 }).connect();
    const db = client.db(dbName);
    if (doMigrate) await migrate(db);
    chronicle = createChronicle(db, chronicleOpts);
  });
  afterAll(async () => {
    await client?.db(dbName).dropDatabase().catch(() => {});
    await client?.close();
  });

  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestChronicle(): used before its beforeAll ran; read it inside a test or hook');
    return value;
  };
  return {
    uri,
    get client() {
      return ready(client);
    },
    get db() {
      return ready(chronicle).db;
    },
    get chronicle() {
      return ready(chronicle);
    },
  };
}
