import type { Db } from 'mongodb';
import { LeaseLostError, ProjectionFailedError } from '../errors.js';
import { acquireLease, type Lease } from '../leases/lease.js';
import { silentLogger, type Logger } from '../logger.js';
import { waitForWork } from '../log/appendNotifier.js';
import { createGlobalLog } from '../log/globalLog.js';
import { notifyCheckpoint } from './checkpointNotice.js';
import { collectionNameOf, leaseNameOf, projectionIdOf } from './defineProjection.js';
import { foldDocuments, routeEvents, type DocumentWrite } from './foldBatch.js';
import { createProjectionStore, type CheckpointRecord } from './projectionStore.js';
import { retireOlderVersions } from './retireOlderVersions.js';
import type { AnyProjectionDefinition, ProjectionState } from './types.js';

/** Options of `createProjectionRunner`. */
export interface ProjectionRunnerOptions {
  /** Commits read per batch (default 500, at most 10,000). */
  batchSize?: number;
  /** Hold the lease `projection:<name>@<version>` while running (default true; false only in tests). */
  lease?: boolean | { ttlMs?: number; holder?: string };
  /** Shortest and longest pause between polls while idle (default 20 ms, 1 s). */
  minPollMs?: number;
  maxPollMs?: number;
  /** Keep the collections of older versions after this one took over (default false: dropped). */
  keepOldVersions?: boolean;
  /** How long after the switch an older version's collection is dropped (default 5 s): readers that just looked it up finish first. */
  retireGraceMs?: number;
  logger?: Logger;
  /** Test hook: runs after a batch's documents are written, before its checkpoint (a crash window). */
  afterWrite?: (batch: { from: number; to: number; writes: DocumentWrite[] }) => Promise<void>;
  /** Test hook: runs after the epoch check, right before a batch's writes (the late-holder window). */
  beforeWrite?: (batch: { from: number; to: number; writes: DocumentWrite[] }) => Promise<void>;
}

/** What one batch did. */
export interface ProjectionBatchResult {
  /** Commits read (0: the runner is at the end of the log). */
  commits: number;
  /** Read-model documents written (inserted, replaced or deleted). */
  written: number;
  position: number;
  /** True when the read reached the end of the visible log. */
  caughtUp: boolean;
}

/** What a runner in this process is doing. */
export interface ProjectionRunnerStatus {
  id: string;
  /** This process holds the lease (or runs without one). */
  active: boolean;
  state: ProjectionState | 'stopped';
  position: number;
  batches: number;
  commits: number;
  written: number;
  lastError: string | null;
}

/** A runner of one projection version; see `createProjectionRunner`. */
export interface ProjectionRunner {
  /** Runs in the background (under the lease) until `stop()`, the projection fails or is retired. */
  start(): void;
  stop(): Promise<void>;
  /** One batch now, without the lease (tests, tools). */
  runOnce(): Promise<ProjectionBatchResult>;
  /** Batches until the end of the visible log; resolves with the commits read. */
  drain(): Promise<number>;
  status(): ProjectionRunnerStatus;
  /** Resolves once the background loop ended (stopped, failed or retired). */
  readonly done: Promise<void>;
}

/**
 * Keeps the read model of `def` up to date from the global log (DESIGN.md "Projections").
 * Each batch: read commits after the checkpoint, read the touched documents with one `$in`,
 * fold, write each changed document once (guarded by its `_position`), then move the
 * checkpoint. A crash anywhere re-runs a batch whose applied events the `_position` guards skip,
 * so the collection converges to the fold from scratch without transactions.
 */
export function createProjectionRunner(db: Db, def: AnyProjectionDefinition, opts: ProjectionRunnerOptions = {}): ProjectionRunner {
  const id = projectionIdOf(def);
  const collection = collectionNameOf(def);
  const store = createProjectionStore(db);
  const log = createGlobalLog(db);
  const logger = opts.logger ?? silentLogger;
  const batchSize = Math.min(10_000, Math.max(1, opts.batchSize ?? 500));
  const minPoll = opts.minPollMs ?? 20;
  const maxPoll = opts.maxPollMs ?? 1_000;
  const controller = new AbortController();
  const st: ProjectionRunnerStatus = { id, active: false, state: 'stopped', position: 0, batches: 0, commits: 0, written: 0, lastError: null };
  let record: CheckpointRecord | null = null;
  /**
   * Where this runner goes on from: the stored checkpoint when it starts (or took the lease),
   * then its own progress. Never a checkpoint another runner moved meanwhile: on FerretDB a
   * guarded replace is read-then-write, so a concurrent runner's older write can land after a
   * newer one, and only the runner that made it, folding on from its own position, repairs it.
   */
  let cursor: number | null = null;
  let retirePending = true;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => (resolveDone = r));
  let loop: Promise<void> | null = null;

  async function checkpoint(): Promise<CheckpointRecord> {
    // One read per batch; the insert only the first time (it is a no-op for an existing record).
    record = (await store.checkpoint(id)) ?? (await store.ensureCheckpoint({ _id: id, name: def.name, version: def.version, collection, position: 0, status: 'catching-up', liveSince: null }));
    return record;
  }

  /** One batch into `collection` after `after`; `advance` moves that target's checkpoint. */
  async function foldInto(lease: Lease | null, collection: string, after: number, advance: (to: number) => Promise<unknown>) {
    const commits = await log.read({ after, limit: batchSize });
    if (commits.length === 0) return { commits: 0, written: 0, position: after, caughtUp: true };
    let writes: DocumentWrite[];
    try {
      const routed = routeEvents(def, commits);
      const ids = [...new Set(routed.flatMap((r) => r.ids))];
      writes = foldDocuments(def, routed, await store.readDocuments(collection, ids));
    } catch (err) {
      if (err instanceof ProjectionFailedError) await fail(err);
      throw err;
    }
    // The epoch check: a holder paused past its TTL learns it here, before writing anything.
    await lease?.assertHeld();
    const to = commits[commits.length - 1]!.position;
    await opts.beforeWrite?.({ from: after + 1, to, writes });
    await store.writeDocuments(collection, writes);
    if (lease) {
      // The check again, after the writes: a holder that lost the lease between the first check
      // and its writes may have written over its successor's documents (on FerretDB concurrent
      // updates can both pass their guards; an insert can bring back a document the successor
      // deleted). It cannot undo that, but it leaves a mark: the successor re-runs from here.
      try {
        await lease.assertHeld();
      } catch (err) {
        if (err instanceof LeaseLostError) await store.markSuspect(id, after);
        throw err;
      }
    }
    await opts.afterWrite?.({ from: after + 1, to, writes });
    await advance(to);
    st.batches++;
    st.commits += commits.length;
    st.written += writes.length;
    return { commits: commits.length, written: writes.length, position: to, caughtUp: commits.length < batchSize };
  }

  async function runBatch(lease: Lease | null): Promise<ProjectionBatchResult> {
    // Read each time: the stored checkpoint is the truth (another runner, a rebuild, a retirement).
    const rec = await checkpoint();
    st.state = rec.status;
    if (rec.status === 'retired' || rec.status === 'failed') return { commits: 0, written: 0, position: rec.position, caughtUp: true };
    if (typeof rec.suspectFrom === 'number') {
      // A late holder wrote after losing the lease: fold again from where it started (the
      // guards make that harmless for everything else), and clear the mark.
      cursor = Math.min(cursor ?? rec.position, rec.suspectFrom);
      logger.warn({ projection: id, from: rec.suspectFrom }, `projection ${id}: a late runner wrote after losing its lease; re-running from position ${rec.suspectFrom}`);
      await store.clearSuspect(id, rec.suspectFrom);
    }
    const r = await foldInto(lease, rec.collection, cursor ?? rec.position, (to) => store.advance(id, to));
    cursor = r.position;
    st.position = r.position;
    if (r.commits > 0) notifyCheckpoint(db, id);
    if (r.caughtUp && !rec.liveSince) {
      await store.setStatus(id, { status: 'live', liveSince: new Date() }, ['retired', 'failed']);
      st.state = 'live';
      retirePending = true;
      logger.info({ projection: id, position: st.position }, `projection ${id} caught up: live`);
      notifyCheckpoint(db, id);
    }
    const graceMs = opts.retireGraceMs ?? 5_000;
    if (r.caughtUp && retirePending) retirePending = await retireOlderVersions(store, def, { keep: opts.keepOldVersions ?? false, graceMs, logger });
    if (rec.replaced && Date.now() - new Date(rec.replaced.at).getTime() >= graceMs) {
      await store.dropCollection(rec.replaced.collection);
      await store.dropTombstones(rec.replaced.collection);
      await store.setStatus(id, { replaced: null });
      logger.info({ projection: id, collection: rec.replaced.collection }, `dropped ${rec.replaced.collection} (replaced by a rebuild)`);
    }
    // A rebuild fills its own collection beside the live one, a batch per live batch, and
    // takes its place once it has caught up with it: readers never see it half-built.
    const rebuild = rec.rebuild;
    if (!rebuild) return r;
    const b = await foldInto(lease, rebuild.collection, rebuild.position, (to) => store.advanceRebuild(id, rebuild.collection, to));
    if (b.caughtUp && b.position >= r.position && (await store.switchToRebuilt(id, rebuild.collection, b.position, rec.collection))) {
      logger.info({ projection: id, collection: rebuild.collection, position: b.position }, `projection ${id} rebuilt: ${rebuild.collection} replaces ${rec.collection}`);
      cursor = null;
      notifyCheckpoint(db, id);
    }
    return { commits: r.commits + b.commits, written: r.written + b.written, position: r.position, caughtUp: false };
  }

  async function fail(err: ProjectionFailedError): Promise<void> {
    st.state = 'failed';
    st.lastError = err.message;
    logger.error({ projection: id, at: err.at, error: err.message }, 'projection failed; it stops here');
    await store.setStatus(id, { status: 'failed', error: { message: err.message, at: err.at } }).catch(() => {});
    notifyCheckpoint(db, id);
  }

  async function work(lease: Lease | null, signal: AbortSignal): Promise<'stop' | 'again'> {
    cursor = null;
    const rec = await checkpoint();
    // A failed projection is retried once per start: a deploy may have fixed evolve.
    if (rec.status === 'failed') await store.setStatus(id, { status: rec.liveSince ? 'live' : 'catching-up', error: null });
    let idle = minPoll;
    while (!signal.aborted) {
      let r: ProjectionBatchResult;
      try {
        r = await runBatch(lease);
      } catch (err) {
        if (signal.aborted) return 'again';
        if (err instanceof ProjectionFailedError) return 'stop';
        st.lastError = (err as Error).message;
        logger.warn({ projection: id, error: st.lastError }, 'projection batch failed; retrying');
        await waitForWork(db, 'numbered', maxPoll, signal);
        continue;
      }
      if (st.state === 'retired' || st.state === 'failed') return 'stop';
      if (!r.caughtUp) {
        idle = minPoll;
        continue;
      }
      if (r.commits > 0) idle = minPoll;
      await waitForWork(db, 'numbered', idle, signal);
      idle = Math.min(maxPoll, idle * 2);
    }
    return 'again';
  }

  async function run(): Promise<void> {
    const leaseOpts = typeof opts.lease === 'object' ? opts.lease : {};
    try {
      while (!controller.signal.aborted) {
        const lease = opts.lease === false ? null : await acquireLease(db, leaseNameOf(def), { ...leaseOpts, waitMs: Infinity, signal: controller.signal, logger });
        if (opts.lease !== false && !lease) return;
        st.active = true;
        const signal = lease ? AbortSignal.any([controller.signal, lease.signal]) : controller.signal;
        try {
          if ((await work(lease, signal)) === 'stop') return;
        } catch (err) {
          // The server went away at a bad moment (the batch loop retries its own errors): let
          // go of the lease, pause, and start over from the stored checkpoint.
          if (controller.signal.aborted) return;
          st.lastError = (err as Error).message;
          logger.warn({ projection: id, error: st.lastError }, 'projection runner failed; restarting');
          await waitForWork(db, 'numbered', maxPoll, controller.signal);
        } finally {
          st.active = false;
          await lease?.release();
        }
      }
    } catch (err) {
      st.lastError = (err as Error).message;
      logger.error({ projection: id, error: st.lastError }, 'projection runner stopped');
    } finally {
      if (st.state !== 'failed' && st.state !== 'retired') st.state = 'stopped';
      resolveDone();
    }
  }

  return {
    start() {
      loop ??= run();
    },
    async stop() {
      controller.abort();
      if (loop) await loop;
      else resolveDone();
    },
    runOnce: () => runBatch(null),
    async drain() {
      let total = 0;
      for (;;) {
        const r = await runBatch(null);
        total += r.commits;
        if (r.caughtUp) return total;
      }
    },
    status: () => ({ ...st }),
    done,
  };
}
