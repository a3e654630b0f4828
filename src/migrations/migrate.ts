import type { Db } from 'mongodb';
import { migrations as allMigrations, type Migration } from '../../migrations/index.js';
import { MigrationError } from '../errors.js';
import { acquireMigrationLock, type LockOptions } from './migrationLock.js';

export interface MigrateOptions {
  /** Defaults to every migration in `migrations/`. */
  migrations?: Migration[];
  lock?: LockOptions;
  log?: (msg: string) => void;
}

export interface MigrateResult {
  /** Ids applied by this call, in order; empty when the database was up to date. */
  applied: string[];
}

/**
 * Applies pending migrations in id order under the migration lock, recording each in
 * the `migrations` collection. Re-running is a no-op; two concurrent runners apply
 * each migration once.
 */
export async function migrate(db: Db, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const list = [...(opts.migrations ?? allMigrations)].sort((a, b) => a.id.localeCompare(b.id));
  const lock = await acquireMigrationLock(db, opts.lock);
  const applied: string[] = [];
  try {
    const records = db.collection<{ _id: string; appliedAt: Date; description: string }>('migrations');
    // Read under the lock: a runner that waited sees what the previous holder applied.
    const done = new Set((await records.find({}, { projection: { _id: 1 } }).toArray()).map((r) => r._id));
    for (const m of list) {
      if (done.has(m.id)) continue;
      try {
        await m.up(db);
      } catch (err) {
        throw new MigrationError(`migration ${m.id} failed: ${(err as Error).message}`, { cause: err });
      }
      await records.insertOne({ _id: m.id, appliedAt: new Date(), description: m.description });
      opts.log?.(`applied migration ${m.id}: ${m.description}`);
      applied.push(m.id);
    }
  } finally {
    await lock.release();
  }
  return { applied };
}
