import { MongoServerError, type Db } from 'mongodb';

/** Creates a collection unless it exists (code 48, NamespaceExists, on MongoDB and FerretDB). */
export async function ensureCollection(db: Db, name: string): Promise<void> {
  try {
    await db.createCollection(name);
  } catch (err) {
    if (!(err instanceof MongoServerError && err.code === 48)) throw err;
  }
}
