import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { afterAll, beforeAll, inject } from 'vitest';

export interface TestDatabase {
  readonly client: MongoClient;
  readonly db: Db;
  readonly uri: string;
}

/**
 * A fresh database for one test file on the run's shared server, dropped afterwards.
 * `name` keeps it recognisable when a failed run leaves it behind.
 */
export function useTestDatabase(name: string, clientOptions: MongoClientOptions = {}): TestDatabase {
  let client: MongoClient | undefined;
  let db: Db | undefined;
  const uri = inject('mongoUri');
  // FerretDB's SQLite backend keeps database names short and simple.
  const dbName = `t_${basename(name).replace(/\.test\.ts$/, '').replace(/[^a-zA-Z0-9]/g, '_').slice(0, 30)}_${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, ...clientOptions });
    await client.connect();
    db = client.db(dbName);
  });
  afterAll(async () => {
    await db?.dropDatabase().catch(() => {});
    await client?.close();
  });

  return {
    get client() {
      if (!client) throw new Error('test database used before beforeAll ran');
      return client;
    },
    get db() {
      if (!db) throw new Error('test database used before beforeAll ran');
      return db;
    },
    uri,
  };
}
