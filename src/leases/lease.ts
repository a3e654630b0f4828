import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from 'mongodb';
import { LeaseLostError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { createLeaseStore, leaseId, type LeaseDocument } from './leaseStore.js';
import { createServerClock } from './serverClock.js';

/** Options of `acquireLease`. */
export interface LeaseOptions {
  /** How long a holder that stops renewing (crashed, paused) keeps the lease; default 30 s. */
  ttlMs?: number;
  /** How long to wait for a lease someone else holds; default 0 (one attempt). `Infinity` waits until `signal`. */
  waitMs?: number;
  /** Pause between attempts while waiting; default a quarter of `ttlMs`, at most 1 s. */
  pollMs?: number;
  /** Who holds it, for operators (`chronicle log`); default `<host>:<pid>:<random>`. */
  holder?: string;
  /** Stops waiting (acquireLease then resolves null). */
  signal?: AbortSignal;
  logger?: Logger;
}

/**
 * A held epoch of a lease. Holding it is a hint, not a guarantee: a paused holder can wake up
 * after someone else took over. So work under a lease either is correct without it (unique
 * indexes fence it) or calls `assertHeld()` right before each write it makes.
 */
export interface Lease {
  readonly name: string;
  readonly epoch: number;
  readonly holder: string;
  /** Aborted (reason: a `LeaseLostError`) once the lease is lost or released. */
  readonly signal: AbortSignal;
  /**
   * The epoch check: throws `LeaseLostError` if this epoch expired by our own reckoning or
   * a successor epoch exists (one round trip). Call it before each write made under the lease.
   */
  assertHeld(): Promise<void>;
  /** Stops renewing and lets the next holder take over at once. */
  release(): Promise<void>;
}

/** Stable default holder name of this process. */
export const defaultHolder = () => `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/**
 * Takes the lease `name` on `db` (collection `leases`), waiting up to `waitMs` for its holder;
 * resolves null when it could not. Insert-only: taking over is inserting `"<name>#<epoch+1>"`
 * once epoch `epoch` expired or was released, so two contenders can never both take an epoch.
 * Expiry is judged on the server's clock (see `createServerClock`), never this host's.
 * The holder renews every third of the TTL and aborts `lease.signal` when it learns it lost.
 */
export async function acquireLease(db: Db, name: string, opts: LeaseOptions = {}): Promise<Lease | null> {
  const ttlMs = opts.ttlMs ?? 30_000;
  const waitMs = opts.waitMs ?? 0;
  const pollMs = opts.pollMs ?? Math.min(1_000, Math.max(10, Math.floor(ttlMs / 4)));
  const holder = opts.holder ?? defaultHolder();
  const logger = opts.logger ?? silentLogger;
  const store = createLeaseStore(db);
  const clock = createServerClock(db);
  const giveUpAt = performance.now() + waitMs;

  for (;;) {
    if (opts.signal?.aborted) return null;
    const sent = performance.now();
    const now = await clock.sync();
    const latest = await store.latest(name);
    if (!latest || latest.releasedAt || latest.expiresAt.getTime() <= now.getTime()) {
      const epoch = (latest?.epoch ?? 0) + 1;
      const doc: LeaseDocument = { _id: leaseId(name, epoch), name, epoch, holder, acquiredAt: now, expiresAt: new Date(now.getTime() + ttlMs) };
      if (await store.insert(doc)) {
        logger.info({ lease: doc._id, holder, previous: latest?.holder ?? null }, 'lease taken');
        // Our own deadline counts from before we asked the server's time: never later than the server's.
        return hold(doc, sent + ttlMs);
      }
    }
    if (performance.now() + pollMs > giveUpAt) return null;
    await sleep(pollMs, opts.signal);
  }

  function hold(doc: LeaseDocument, firstDeadline: number): Lease {
    const controller = new AbortController();
    let deadline = firstDeadline;
    let timer: NodeJS.Timeout | undefined;
    const successor = leaseId(name, doc.epoch + 1);

    const lose = (why: string) => {
      if (controller.signal.aborted) return;
      clearTimeout(timer);
      logger.warn({ lease: doc._id, holder, why }, 'lease lost');
      controller.abort(new LeaseLostError(name, doc.epoch, why));
    };
    const check = async () => {
      if (controller.signal.aborted) throw controller.signal.reason as Error;
      if (performance.now() > deadline) lose('it expired before it could be renewed (the process was paused or the server unreachable)');
      else {
        const next = await store.exists(successor);
        if (next) lose(`superseded by epoch ${next.epoch} (holder ${next.holder})`);
      }
      if (controller.signal.aborted) throw controller.signal.reason as Error;
    };
    const renew = async () => {
      if (controller.signal.aborted) return;
      if (performance.now() > deadline) return lose('it expired before it could be renewed (the process was paused or the server unreachable)');
      const sent = performance.now();
      try {
        const now = await clock.sync();
        if (!(await store.renew(doc._id, holder, now, new Date(now.getTime() + ttlMs)))) return lose('it expired or was released before it could be renewed');
        const next = await store.exists(successor);
        if (next) return lose(`superseded by epoch ${next.epoch} (holder ${next.holder})`);
        deadline = sent + ttlMs;
      } catch (err) {
        logger.warn({ lease: doc._id, error: (err as Error).message }, 'could not renew the lease; retrying');
      }
      schedule();
    };
    const schedule = () => {
      if (controller.signal.aborted) return;
      timer = setTimeout(() => void renew(), Math.max(5, Math.floor(ttlMs / 3)));
      timer.unref();
    };
    schedule();

    return {
      name,
      epoch: doc.epoch,
      holder,
      signal: controller.signal,
      assertHeld: check,
      async release() {
        if (controller.signal.aborted) return;
        clearTimeout(timer);
        controller.abort(new LeaseLostError(name, doc.epoch, 'released'));
        try {
          await store.release(doc._id, holder, clock.now());
          // Older epochs only document history; keep a few for operators.
          await store.prune(name, doc.epoch - 10);
        } catch (err) {
          logger.warn({ lease: doc._id, error: (err as Error).message }, 'could not release the lease; it will expire');
        }
      },
    };
  }
}

/** The newest epoch of lease `name` (for operators: who holds it, until when), or null. */
export async function readLease(db: Db, name: string): Promise<(LeaseDocument & { expired: boolean }) | null> {
  const latest = await createLeaseStore(db).latest(name);
  if (!latest) return null;
  const now = await createServerClock(db).sync();
  return { ...latest, expired: Boolean(latest.releasedAt) || latest.expiresAt.getTime() <= now.getTime() };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
