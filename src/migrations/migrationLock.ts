import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { isDuplicateKeyError } from '../storage/driverErrors.js';
import { MigrationError } from '../errors.js';

interface LockDoc {
  _id: number;
  owner: string;
  acquiredAt: Date;
  expiresAt: Date;
  releasedAt?: Date;
}

export interface LockOptions {
  /** How long a holder that stops renewing (crashed) keeps the lock. */
  ttlMs?: number;
  /** How long to wait for another runner before giving up. */
  waitMs?: number;
  pollMs?: number;
}

export interface HeldLock {
  owner: string;
  release(): Promise<void>;
}

/**
 * A mutex built on insert + unique `_id` only, so it is correct on FerretDB, whose
 * updates are not atomic. Lock generations form a chain: whoever inserts generation
 * n+1 holds the lock; generation n must be released or expired first. A stale holder
 * is never deleted or overwritten, it is superseded.
 */
export async function acquireMigrationLock(db: Db, opts: LockOptions = {}): Promise<HeldLock> {
  const ttlMs = opts.ttlMs ?? 60_000;
  const waitMs = opts.waitMs ?? 120_000;
  const pollMs = opts.pollMs ?? 100;
  const col = db.collection<LockDoc>('migrations_lock');
  const owner = randomUUID();
  const deadline = Date.now() + waitMs;

  for (;;) {
    const latest = await col.find({}).sort({ _id: -1 }).limit(1).next();
    const now = new Date();
    if (!latest || latest.releasedAt || latest.expiresAt.getTime() <= now.getTime()) {
      const generation = (latest?._id ?? 0) + 1;
      try {
        await col.insertOne({ _id: generation, owner, acquiredAt: now, expiresAt: new Date(now.getTime() + ttlMs) });
        return startHolding(db, generation, owner, ttlMs);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        // Another runner took this generation first; look again.
      }
    }
    if (Date.now() >= deadline) {
      throw new MigrationError(
        `another migration runner holds the lock (owner ${latest?.owner ?? '?'} until ${latest?.expiresAt.toISOString() ?? '?'}); gave up after ${waitMs} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

function startHolding(db: Db, generation: number, owner: string, ttlMs: number): HeldLock {
  const col = db.collection<LockDoc>('migrations_lock');
  // Only the holder writes to its own generation, so a plain update is safe here.
  const timer = setInterval(() => {
    void col.updateOne({ _id: generation, owner }, { $set: { expiresAt: new Date(Date.now() + ttlMs) } }).catch(() => {});
  }, Math.max(50, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    owner,
    async release() {
      clearInterval(timer);
      await col.updateOne({ _id: generation, owner }, { $set: { releasedAt: new Date() } });
      // Old generations only document history; keep the last few for inspection.
      await col.deleteMany({ _id: { $lt: generation - 10 } });
    },
  };
}
