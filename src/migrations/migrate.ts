import type { Db } from 'mongodb';
import { isDuplicateKeyError } from '../storage/driverErrors.js';
import { migrations as allMigrations, type Migration } from '../../migrations/index.js';
import { LeaseLostError, MigrationError } from '../errors.js';
import { acquireLease, readLease } from '../leases/lease.js';
import { wrapDriverError } from '../storage/wrapDriverError.js';

/** The migration runner's lease (DESIGN.md "Leases"). */
export interface LockOptions {
  /** How long a holder that stops renewing (crashed, paused) keeps the lease; default 60 s. */
  ttlMs?: number;
  /** How long to wait for another runner before giving up; default 120 s. */
  waitMs?: number;
  pollMs?: number;
}

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

const LEASE = 'migrations';
/** A runner that lost its lease (paused past the TTL) waits for it again this many times. */
const MAX_TAKEOVERS = 3;

interface MigrationRecord {
  _id: string;
  appliedAt: Date;
  description: string;
}

/**
 * Applies pending migrations in id order under the `migrations` lease, recording each in the
 * `migrations` collection. Re-running is a no-op; concurrent runners apply each migration once.
 *
 * A runner paused past its lease (a VM pause, a long GC) can wake up inside `up()` after another
 * runner took over; `up` must therefore be idempotent (every migration here is). Before each
 * record it checks its epoch; a lost lease makes it wait for the lease again and re-read what
 * is applied, and a record that already exists means the migration was applied by someone else.
 */
export async function migrate(db: Db, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const list = [...(opts.migrations ?? allMigrations)].sort((a, b) => a.id.localeCompare(b.id));
  const ttlMs = opts.lock?.ttlMs ?? 60_000;
  const waitMs = opts.lock?.waitMs ?? 120_000;
  const records = db.collection<MigrationRecord>('migrations');
  const applied: string[] = [];

  for (let round = 0; ; round++) {
    const lease = await acquireLease(db, LEASE, { ttlMs, waitMs, pollMs: opts.lock?.pollMs ?? 100 });
    if (!lease) {
      const current = await readLease(db, LEASE).catch(() => null);
      throw new MigrationError(
        `another migration runner holds the lease (holder ${current?.holder ?? '?'} until ${current?.expiresAt.toISOString() ?? '?'}); gave up after ${waitMs} ms`,
      );
    }
    try {
      // Read under the lease: a runner that waited sees what the previous holder applied.
      const done = new Set((await wrapDriverError('read the applied migrations', () => records.find({}, { projection: { _id: 1 } }).toArray())).map((r) => r._id));
      for (const m of list) {
        if (done.has(m.id)) continue;
        await lease.assertHeld();
        try {
          await m.up(db);
        } catch (err) {
          throw new MigrationError(`migration ${m.id} failed: ${(err as Error).message}`, { cause: err });
        }
        // The epoch check before the write: a runner that was superseded while in up() stops here.
        await lease.assertHeld();
        if (await record(m)) {
          opts.log?.(`applied migration ${m.id}: ${m.description}`);
          applied.push(m.id);
        } else {
          opts.log?.(`migration ${m.id} was applied by another runner`);
        }
      }
      return { applied };
    } catch (err) {
      if (!(err instanceof LeaseLostError) || round >= MAX_TAKEOVERS) {
        if (err instanceof LeaseLostError) throw new MigrationError(`gave up migrating: ${err.message}`, { cause: err });
        throw err;
      }
      opts.log?.(`lost the migrations lease (${err.message}); waiting to take it again`);
    } finally {
      await lease.release();
    }
  }

  async function record(m: Migration): Promise<boolean> {
    try {
      await records.insertOne({ _id: m.id, appliedAt: new Date(), description: m.description }, { writeConcern: { w: 'majority', j: true } });
      return true;
    } catch (err) {
      // The record exists: the runner that superseded us (or raced us) applied it.
      if (isDuplicateKeyError(err)) return false;
      throw new MigrationError(`could not record migration ${m.id}: ${(err as Error).message}`, { cause: err });
    }
  }
}
