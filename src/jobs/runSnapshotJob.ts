import pLimit from 'p-limit';
import { z } from 'zod';
import type { AnyAggregateDefinition, LoadedAggregate } from '../aggregates/types.js';
import { internals, type Chronicle } from '../chronicle.js';
import { AbortedError, ChronicleError, ValidationError } from '../errors.js';
import { createStreamCatalog } from '../events/streamCatalog.js';
import { silentLogger, type Logger } from '../logger.js';
import { parseInput, streamTypeSchema } from '../validation.js';
import { createCheckpointRepository } from './checkpointRepository.js';
import { headCommitOf } from '../aggregates/lineage.js';
import { serverTime } from '../storage/serverTime.js';
import { createLogRepository } from '../log/logRepository.js';
import { createSequencer } from '../log/sequencer.js';

/** Options of `runSnapshotJob`. */
export interface SnapshotJobOptions {
  /** The aggregates to snapshot; streams of other types are never read. */
  aggregates: readonly AnyAggregateDefinition[];
  /** A stream is due when it has at least this many events since its latest snapshot (or its start). */
  threshold: number;
  /** Batches of streams loaded and snapshotted at once (each batch is loaded in two queries). */
  concurrency: number;
  /** Aborting stops new work, lets in-flight streams finish, then rejects with `AbortedError`. */
  signal?: AbortSignal;
  /** Ignore the checkpoint and consider every stream (e.g. after a `schemaVersion` bump). */
  full?: boolean;
  /** Snapshots kept per stream; defaults to the Chronicle's `snapshotKeep` (3). */
  keep?: number;
  /** How far before the previous run's start discovery reads again (default 120 000 ms). */
  overlapMs?: number;
  logger?: Logger;
  onProgress?: (progress: SnapshotJobProgress) => void;
}

export interface SnapshotJobProgress {
  /** Streams to examine; known once discovery has finished. */
  total: number;
  done: number;
  written: number;
  failed: number;
}

/** What one run did. `streamsScanned = snapshotsWritten + skipped + failed.length`. */
export interface SnapshotJobReport {
  /** Streams examined: those with commits since the checkpoint, plus earlier failures retried. */
  streamsScanned: number;
  snapshotsWritten: number;
  /** Examined but not written: below the threshold, or already saved by a concurrent run. */
  skipped: number;
  failed: { streamId: string; error: string; code?: string }[];
  durationMs: number;
}

/** Default safety overlap: covers clock skew between writers and appends still in flight. */
export const DEFAULT_OVERLAP_MS = 120_000;
/** Run records kept per scope: the newest is the checkpoint, the rest are history for operators. */
const RUNS_KEPT_PER_SCOPE = 10;
/** Stream ids per snapshot-version lookup: one query per chunk instead of one per stream. */
const LOOKUP_CHUNK = 2000;
/** Sequencer passes (of up to 1000 commits) a job run makes before discovery. */
const MAX_NUMBERING_PASSES = 10;
/** Most streams loaded by one query pair. */
const MAX_BATCH = 1000;

const positiveInt = (max: number) => z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(max, { error: `must be at most ${max}` });
const definitionSchema = z.looseObject(
  {
    type: streamTypeSchema,
    schemaVersion: positiveInt(Number.MAX_SAFE_INTEGER),
    evolve: z.custom<(...args: unknown[]) => unknown>((v) => typeof v === 'function', { error: 'must be a function' }),
    initialState: z.custom<() => unknown>((v) => typeof v === 'function', { error: 'must be a function' }),
    stateSchema: z.custom<z.ZodType>((v) => typeof (v as { safeParse?: unknown } | null)?.safeParse === 'function', { error: 'must be a zod schema' }),
  },
  { error: 'must be an aggregate definition' },
);
const optionsSchema = z.object(
  {
    aggregates: z.array(definitionSchema, { error: 'must be an array of aggregate definitions' }).min(1, { error: 'must name at least one aggregate' }),
    threshold: positiveInt(10_000_000),
    concurrency: positiveInt(256),
    keep: positiveInt(1000).optional(),
    overlapMs: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, { error: 'must not be negative' }).optional(),
    full: z.boolean({ error: 'must be true or false' }).optional(),
  },
  { error: 'must be an object { aggregates, threshold, concurrency }' },
);

const lineageOf = (agg: LoadedAggregate<unknown>) => {
  const commitId = headCommitOf(agg);
  return commitId === undefined ? {} : { commitId };
};

interface Candidate {
  def: AnyAggregateDefinition;
  streamId: string;
  /** Highest version seen in the window; null for a retried failure, whose head was not read. */
  headSeen: number | null;
}

/**
 * Writes a snapshot for every stream of `aggregates` that has at least `threshold` events since
 * its latest snapshot of the aggregate's current `schemaVersion`, and nothing else.
 *
 * Incremental: candidates are the streams with commits recorded since the previous completed
 * run (minus `overlapMs`), read with a projection of `streamId` and `version` only, plus the
 * streams that failed last time; `full` considers every stream. Each checkpoint is per
 * aggregate type and `schemaVersion`, so a bumped `schemaVersion` starts with a full scan of
 * its type by itself. Due streams are loaded in batches through `chronicle.aggregate(def).loadMany`
 * (two queries per batch) and saved at the loaded version, pruning to the newest `keep`. One stream's failure (corrupt events, a
 * throwing `evolve`) lands in `failed` and the others go on; failed streams are retried by the
 * next run. Two instances at once are harmless: saving the same snapshot twice is a no-op.
 *
 * Missing a snapshot is never a correctness problem (loads replay from an older one), so the
 * job prefers doing a little less over reading everything.
 *
 * @throws ValidationError for bad options (before any I/O).
 * @throws AbortedError when `signal` aborts: in-flight streams finish, snapshots already written
 *   stay, and the checkpoint does not advance, so the next run covers the same window. No partial
 *   report is returned; the error message says how far the run got.
 */
export async function runSnapshotJob(chronicle: Chronicle, options: SnapshotJobOptions): Promise<SnapshotJobReport> {
  const o = parseInput(optionsSchema, options, 'snapshot job options');
  const defs = options.aggregates;
  const scopeOf = (d: AnyAggregateDefinition) => `${d.type}@${d.schemaVersion}`;
  const scopes = defs.map(scopeOf);
  if (new Set(scopes).size !== scopes.length) {
    throw new ValidationError('snapshot job options: two aggregates share a type and schemaVersion', [{ path: ['aggregates'], message: 'duplicate type@schemaVersion' }]);
  }
  const signal = options.signal;
  const inner = internals.get(chronicle);
  const logger = options.logger ?? inner?.logger ?? silentLogger;
  const keep = o.keep ?? inner?.snapshotKeep ?? 3;
  const overlapMs = o.overlapMs ?? DEFAULT_OVERLAP_MS;
  const started = Date.now();
  const abortError = (what: string) => new AbortedError(`snapshot job aborted ${what}; the checkpoint was not advanced`, { cause: signal?.reason });
  if (signal?.aborted) throw abortError('before it started');

  const catalog = createStreamCatalog(chronicle.db, { eventsCollection: inner?.events.collection.collectionName });
  const checkpoints = createCheckpointRepository(chronicle.db);
  // The server's clock, not this host's: a host whose clock is off must not move the shared
  // checkpoint (a day fast, and every later run would skip a day of commits).
  const startedAt = await serverTime(chronicle.db);
  // Discovery by global log position is exact (no clock, no overlap) once the database is
  // numbered; a database no sequencer ever ran on (head 0) keeps the time window.
  const logRepo = createLogRepository(chronicle.db, inner?.events.collection.collectionName);
  let logHead = await logRepo.head();
  if (logHead > 0) {
    // Discovery by position cannot see commits that are not numbered yet, and a job run from
    // cron may have no worker beside it: number what is pending first. That is safe next to a
    // running sequencer (two at once cannot leave a gap or a duplicate: DESIGN.md "Global log");
    // a few passes at most, so a busy database cannot keep the job here.
    const sequencer = createSequencer(chronicle.db, { lease: false, logger, ...(inner ? { eventsCollection: inner.events.collection.collectionName } : {}) });
    let numbered = 0;
    for (let pass = 0; pass < MAX_NUMBERING_PASSES; pass++) {
      const r = await sequencer.runOnce();
      numbered += r.numbered;
      if (r.seen === 0) break;
    }
    if (numbered > 0) {
      logger.info({ numbered }, `snapshot job: numbered ${numbered} pending commit(s) before discovery (no sequencer had yet)`);
      logHead = await logRepo.head();
    }
  }
  const positionByType = new Map<string, number | undefined>();

  // Per type, the earliest bound any of its scopes needs; a scope without a checkpoint needs all.
  const retries = new Map<AnyAggregateDefinition, string[]>();
  const sinceByType = new Map<string, Date | undefined>();
  for (const def of defs) {
    const cp = o.full ? null : await checkpoints.latest(scopeOf(def), startedAt);
    retries.set(def, cp?.failedStreams ?? []);
    const since = cp ? new Date(cp.startedAt.getTime() - overlapMs) : undefined;
    const prev = sinceByType.has(def.type) ? sinceByType.get(def.type) : since;
    sinceByType.set(def.type, prev === undefined || since === undefined ? undefined : new Date(Math.min(prev.getTime(), since.getTime())));
    // A type reads by position only when every one of its scopes has a position checkpoint.
    const pos = cp?.position !== undefined && logHead > 0 ? cp.position : undefined;
    const prevPos = positionByType.has(def.type) ? positionByType.get(def.type) : pos;
    positionByType.set(def.type, prevPos === undefined || pos === undefined ? undefined : Math.min(prevPos, pos));
  }
  const byPosition = [...positionByType].filter((e): e is [string, number] => e[1] !== undefined);
  for (const [type] of byPosition) sinceByType.delete(type);
  logger.info({ scopes, full: o.full ?? false, since: Object.fromEntries(sinceByType), afterPosition: Object.fromEntries(byPosition) }, 'snapshot job: discovering candidates');

  const heads = new Map<string, Map<string, number>>();
  for (const type of positionByType.keys()) heads.set(type, new Map());
  const clauses = [...sinceByType].map(([streamType, since]) => (since ? { streamType, since } : { streamType }));
  const positionTypes = new Set(byPosition.map(([type]) => type));
  const fromPosition = Math.min(...byPosition.map(([, p]) => p));
  const discovered = async function* () {
    if (clauses.length > 0) yield* catalog.commitHeads(clauses);
    if (byPosition.length > 0) for await (const c of logRepo.headsAfter(fromPosition)) if (positionTypes.has(c.streamType)) yield c;
  };
  for await (const c of discovered()) {
    if (signal?.aborted) throw abortError('during discovery');
    const m = heads.get(c.streamType);
    if (m) m.set(c.streamId, Math.max(m.get(c.streamId) ?? 0, c.version));
  }

  const candidates: Candidate[] = [];
  for (const def of defs) {
    const seen = heads.get(def.type) ?? new Map<string, number>();
    for (const [streamId, head] of seen) candidates.push({ def, streamId, headSeen: head });
    for (const streamId of retries.get(def) ?? []) if (!seen.has(streamId)) candidates.push({ def, streamId, headSeen: null });
  }

  const repos = new Map(defs.map((d) => [d, chronicle.aggregate(d)]));
  const report: SnapshotJobReport = { streamsScanned: candidates.length, snapshotsWritten: 0, skipped: 0, failed: [], durationMs: 0 };
  let done = 0;
  const progress = () => options.onProgress?.({ total: candidates.length, done, written: report.snapshotsWritten, failed: report.failed.length });
  const finish = (outcome: 'written' | 'skipped') => {
    if (outcome === 'written') report.snapshotsWritten += 1;
    else report.skipped += 1;
    done += 1;
    progress();
  };
  progress();

  const fail = (c: Candidate, err: unknown) => {
    const e = err as Error;
    report.failed.push({ streamId: c.streamId, error: e.message, ...(err instanceof ChronicleError ? { code: err.code } : {}) });
    logger.warn({ streamId: c.streamId, aggregate: scopeOf(c.def), error: e.message }, 'snapshot job: stream failed');
    done += 1;
    progress();
  };

  /** Loads a batch of due streams of one aggregate in two queries, then saves each snapshot. */
  async function snapshotBatch(def: AnyAggregateDefinition, batch: Candidate[]): Promise<void> {
    if (signal?.aborted) return;
    const prefix = `${def.type}-`;
    let loaded: Map<string, LoadedAggregate<unknown> | Error>;
    try {
      loaded = await (repos.get(def) ?? chronicle.aggregate(def)).loadMany(batch.map((c) => c.streamId.slice(prefix.length)));
    } catch (err) {
      for (const c of batch) fail(c, err);
      return;
    }
    const saved: string[] = [];
    for (const c of batch) {
      try {
        const agg = loaded.get(c.streamId.slice(prefix.length));
        if (!agg || agg instanceof Error) throw agg ?? new ChronicleError('STORAGE', `stream "${c.streamId}" was not loaded`);
        // Re-checked against what the load actually started from: its latest *valid* snapshot.
        // A load from a migrated older-schema snapshot is always due: saving spares later loads the migration.
        if (agg.migratedFromSchemaVersion === undefined && agg.version - (agg.snapshotVersion ?? 0) < o.threshold) {
          finish('skipped');
          continue;
        }
        const valid = def.stateSchema.safeParse(agg.state);
        if (!valid.success) {
          throw new ChronicleError('VALIDATION', `state of "${c.streamId}" at version ${agg.version} fails the stateSchema of ${scopeOf(def)}: ${z.prettifyError(valid.error).replace(/\n/g, ' ')}`);
        }
        // Pruned for the whole batch below: one query instead of one per stream.
        const { written } = await chronicle.snapshots.save(
          // With the commit that ends at this version: its lineage, checked by every later load.
          { streamId: c.streamId, streamType: def.type, version: agg.version, schemaVersion: def.schemaVersion, state: agg.state, ...lineageOf(agg) },
          { keep, prune: false },
        );
        if (written) saved.push(c.streamId);
        logger.debug({ streamId: c.streamId, version: agg.version, written }, 'snapshot saved');
        finish(written ? 'written' : 'skipped');
      } catch (err) {
        fail(c, err);
      }
    }
    if (saved.length > 0) {
      await chronicle.snapshots.pruneMany(saved, keep).catch((err: Error) => logger.warn({ error: err.message }, 'could not prune old snapshots'));
    }
  }

  const limit = pLimit(o.concurrency);
  const due: Candidate[] = [];
  // Snapshot versions are looked up a chunk at a time: one query per chunk, not per stream.
  for (let i = 0; i < candidates.length && !signal?.aborted; i += LOOKUP_CHUNK) {
    const chunk = candidates.slice(i, i + LOOKUP_CHUNK);
    const bySchema = new Map<number, string[]>();
    for (const c of chunk) if (c.headSeen !== null) bySchema.set(c.def.schemaVersion, [...(bySchema.get(c.def.schemaVersion) ?? []), c.streamId]);
    const snapVersions = new Map<number, Map<string, number>>();
    for (const [schemaVersion, ids] of bySchema) snapVersions.set(schemaVersion, await catalog.snapshotVersions(ids, schemaVersion));
    for (const c of chunk) {
      // Snapshot documents are taken at face value here (reading their states to validate them
      // would cost more than the loads it saves); the load re-checks against the valid one.
      const snap = snapVersions.get(c.def.schemaVersion)?.get(c.streamId) ?? 0;
      if (c.headSeen !== null && c.headSeen - snap < o.threshold) finish('skipped');
      else due.push(c);
    }
  }
  // Streams whose id is not "<type>-<id>" cannot be loaded through their aggregate.
  const loadable = due.filter((c) => {
    const prefix = `${c.def.type}-`;
    if (c.streamId.startsWith(prefix) && c.streamId.length > prefix.length) return true;
    logger.warn({ streamId: c.streamId, aggregate: c.def.type }, 'skipping a stream whose id does not have the form "<type>-<id>"');
    finish('skipped');
    return false;
  });
  // Batches small enough that every concurrency slot gets several (so an abort stops soon and
  // slots stay busy), large enough that a big job costs few queries; `concurrency` bounds the
  // batches in flight.
  const batchSize = Math.max(1, Math.min(MAX_BATCH, Math.ceil(loadable.length / (o.concurrency * 4))));
  const tasks: Promise<void>[] = [];
  for (const def of defs) {
    const mine = loadable.filter((c) => c.def === def);
    for (let i = 0; i < mine.length; i += batchSize) {
      const batch = mine.slice(i, i + batchSize);
      tasks.push(limit(() => snapshotBatch(def, batch)));
    }
  }
  await Promise.all(tasks);
  if (signal?.aborted) throw abortError(`after ${done} of ${candidates.length} streams (${report.snapshotsWritten} snapshots written)`);

  const finishedAt = new Date(startedAt.getTime() + (Date.now() - started));
  await checkpoints.record({
    scopes,
    startedAt,
    finishedAt,
    full: o.full ?? false,
    streamsScanned: report.streamsScanned,
    snapshotsWritten: report.snapshotsWritten,
    skipped: report.skipped,
    failedStreams: report.failed.map((f) => f.streamId),
    ...(logHead > 0 ? { position: logHead } : {}),
  });
  await checkpoints.prune(RUNS_KEPT_PER_SCOPE, startedAt).catch((err: Error) => logger.warn({ error: err.message }, 'could not prune old snapshot job runs'));
  report.durationMs = Date.now() - started;
  return report;
}
