import type { Db } from 'mongodb';
import { silentLogger, type Logger } from '../logger.js';
import { acquireLease, type Lease } from '../leases/lease.js';
import { notify, waitForWork } from './appendNotifier.js';
import { createLogRepository, type PositionDocument } from './logRepository.js';
import { numberBatch, type BatchResult } from './numberBatch.js';

/** Options of `createSequencer`. */
export interface SequencerOptions {
  /** Most un-numbered commits read per pass (default 1000). */
  batchSize?: number;
  /**
   * Hold the `sequencer` lease so one process numbers at a time (default true; `ttlMs` 10 s).
   * Only an economy: `false` lets several run at once, and the log stays gap-free.
   */
  lease?: boolean | { ttlMs?: number; holder?: string };
  /** First pause when idle; doubles up to `maxPollMs` (defaults 20 ms and 1 s). */
  minPollMs?: number;
  maxPollMs?: number;
  logger?: Logger;
  /** Events collection name (default `events`). */
  eventsCollection?: string;
  /** Test hook: called after a pass inserted its positions and before it sets the copies. */
  afterPositions?: (positions: PositionDocument[]) => Promise<void>;
}

/** What a sequencer reports (the worker's and `chronicle log`'s view). */
export interface SequencerStatus {
  running: boolean;
  /** Holds the lease (always true without a lease). */
  active: boolean;
  leaseEpoch: number | null;
  /** Highest position this sequencer knows of. */
  head: number;
  /** Positions inserted by this sequencer since it started. */
  numbered: number;
  /** Copies repaired (commits numbered earlier whose `position` field was missing). */
  repaired: number;
  lastError: string | null;
}

/** A background numbering loop; see `createSequencer`. */
export interface Sequencer {
  /** Starts the loop (idempotent). */
  start(): void;
  /** Stops after the current pass and releases the lease. */
  stop(): Promise<void>;
  /** One pass now, outside the loop (tests, `chronicle log --sequence`). */
  runOnce(): Promise<BatchResult>;
  /** Runs passes until nothing is pending; returns how many positions it inserted. */
  drain(): Promise<number>;
  status(): SequencerStatus;
}

export const SEQUENCER_LEASE = 'sequencer';

/**
 * The sequencer of the global log over `db` (DESIGN.md "Global log"). It numbers commits in
 * batches, wakes at once after an append in this process, polls with back-off otherwise, and
 * under a lease lets only one process number at a time (standbys take over within the TTL).
 */
export function createSequencer(db: Db, opts: SequencerOptions = {}): Sequencer {
  const logger = opts.logger ?? silentLogger;
  const repo = createLogRepository(db, opts.eventsCollection);
  const batchSize = opts.batchSize ?? 1000;
  const minPoll = opts.minPollMs ?? 20;
  const maxPoll = opts.maxPollMs ?? 1_000;
  const leaseOpts = opts.lease === false ? null : typeof opts.lease === 'object' ? opts.lease : {};
  const ctx = {
    repo,
    batchSize,
    numberedUpTo: new Map<string, number>(),
    head: null as number | null,
    ...(opts.afterPositions ? { afterPositions: opts.afterPositions } : {}),
  };
  const status: SequencerStatus = { running: false, active: leaseOpts === null, leaseEpoch: null, head: 0, numbered: 0, repaired: 0, lastError: null };
  let stopper: AbortController | null = null;
  let loop: Promise<void> | null = null;

  async function pass(): Promise<BatchResult> {
    const r = await numberBatch(ctx);
    ctx.head = r.head;
    status.head = r.head;
    status.numbered += r.numbered;
    status.repaired += r.repaired;
    if (r.numbered > 0 || r.repaired > 0) {
      logger.info({ numbered: r.numbered, repaired: r.repaired, head: r.head }, `sequencer: numbered ${r.numbered} commit(s), head ${r.head}`);
      notify(db, 'numbered');
    }
    return r;
  }

  async function run(signal: AbortSignal): Promise<void> {
    let idle = minPoll;
    let lease: Lease | null = null;
    while (!signal.aborted) {
      if (leaseOpts && (!lease || lease.signal.aborted)) {
        status.active = false;
        status.leaseEpoch = null;
        try {
          lease = await acquireLease(db, SEQUENCER_LEASE, { ttlMs: leaseOpts.ttlMs ?? 10_000, waitMs: Infinity, signal, logger, ...(leaseOpts.holder ? { holder: leaseOpts.holder } : {}) });
        } catch (err) {
          // The server is unreachable: keep trying, a worker must outlive an outage.
          status.lastError = (err as Error).message;
          logger.warn({ error: status.lastError }, 'sequencer: could not take the lease; retrying');
          await waitForWork(db, 'append', maxPoll, signal);
          continue;
        }
        if (!lease) break;
        status.active = true;
        status.leaseEpoch = lease.epoch;
        // Another process numbered while we waited: what we knew may be far behind.
        ctx.head = null;
        logger.info({ epoch: lease.epoch }, 'sequencer: active');
      }
      try {
        const r = await pass();
        status.lastError = null;
        if (r.seen >= batchSize || r.numbered > 0 || r.repaired > 0) {
          idle = minPoll;
          continue;
        }
      } catch (err) {
        status.lastError = (err as Error).message;
        ctx.head = null;
        logger.warn({ error: (err as Error).message }, 'sequencer: pass failed; retrying');
      }
      await waitForWork(db, 'append', idle, signal);
      idle = Math.min(maxPoll, idle * 2);
    }
    status.active = leaseOpts === null;
    await lease?.release();
  }

  return {
    start() {
      if (loop) return;
      stopper = new AbortController();
      status.running = true;
      loop = run(stopper.signal).catch((err: Error) => {
        status.lastError = err.message;
        logger.error({ error: err.message }, 'sequencer stopped on an error');
      });
    },
    async stop() {
      stopper?.abort();
      await loop;
      loop = null;
      stopper = null;
      status.running = false;
    },
    runOnce: pass,
    async drain() {
      let total = 0;
      for (;;) {
        const r = await pass();
        total += r.numbered;
        if (r.seen === 0) return total;
      }
    },
    status: () => ({ ...status }),
  };
}
