import type { Db } from 'mongodb';
import { isNamespaceExistsError } from '../src/storage/driverErrors.js';

/** Creates a collection unless it exists (code 48, NamespaceExists, on MongoDB and FerretDB). */
export async function ensureCollection(db: Db, name: string): Promise<void> {
  try {
    await db.createCollection(name);
  } catch (err) {
    if (!isNamespaceExistsError(err)) throw err;
  }
}
