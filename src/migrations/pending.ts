import type { Db } from 'mongodb';
import { migrations as allMigrations } from '../../migrations/index.js';
import { StorageError } from '../errors.js';
import { isDriverError } from '../storage/driverErrors.js';

/**
 * Ids of the migrations not yet applied to `db`, in order. Lets a command that depends on the
 * schema (the snapshot job) refuse to start on an unmigrated database with a clear message
 * instead of writing into collections that lack their indexes.
 */
export async function pendingMigrations(db: Db): Promise<string[]> {
  try {
    const done = new Set((await db.collection<{ _id: string }>('migrations').find({}, { projection: { _id: 1 } }).toArray()).map((r) => r._id));
    return allMigrations.map((m) => m.id).filter((id) => !done.has(id)).sort();
  } catch (err) {
    if (!isDriverError(err)) throw err;
    throw new StorageError(`could not read the applied migrations: ${err.message}`, { cause: err });
  }
}
