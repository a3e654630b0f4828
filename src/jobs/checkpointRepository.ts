import { randomUUID } from 'node:crypto';
import { wrapDriverError as wrap } from '../storage/wrapDriverError.js';
import type { Db } from 'mongodb';

/**
 * Why insert-only: the checkpoint must stay correct on FerretDB, whose updates and upserts are
 * read-then-write. With one mutable checkpoint document, two job instances finishing together
 * could write in either order, and a slow run that started earlier could move the checkpoint
 * back in time. Here every completed run inserts its own record and the checkpoint is the
 * newest `startedAt` among them: a late record of an older run loses by construction, and no
 * write ever needs to be atomic beyond a single insert. Aborted or crashed runs record nothing,
 * so the next run starts from the last one that finished.
 */
export interface JobRunRecord {
  _id: string;
  /** Aggregates this run covered, as "<streamType>@<schemaVersion>". */
  scopes: string[];
  /** Client time just before discovery: the next run reads commits from here (minus the overlap). */
  startedAt: Date;
  finishedAt: Date;
  full: boolean;
  streamsScanned: number;
  snapshotsWritten: number;
  skipped: number;
  /** Streams that failed; the next run retries them even without new commits. */
  failedStreams: string[];
  /** Global log head when the run started: the next run discovers positions after it (absent: by time). */
  position?: number;
}

/** The newest completed run for one scope. */
export interface Checkpoint {
  startedAt: Date;
  failedStreams: string[];
  /** Log head the run started from; undefined for a run on a database not numbered yet. */
  position?: number;
}

/** Reads and records the snapshot job's runs in `snapshot_job_runs` (created by migration 004). */
export interface CheckpointRepository {
  /** The newest completed run naming `scope`, or null when the scope never completed a run. */
  latest(scope: string): Promise<Checkpoint | null>;
  /** Inserts the record of a completed run. */
  record(run: Omit<JobRunRecord, '_id'>): Promise<void>;
  /**
   * Deletes old records, keeping for every scope its newest `keepPerScope`, so the newest record
   * of each scope (its checkpoint) always stays. Returns how many went.
   */
  prune(keepPerScope: number): Promise<number>;
}

/** Most failed stream ids kept in one record; past this, a failure is systemic and the log says more. */
export const MAX_RECORDED_FAILURES = 5_000;

/** Creates the checkpoint repository over `db`. */
export function createCheckpointRepository(db: Db): CheckpointRepository {
  const col = db.collection<JobRunRecord>('snapshot_job_runs', { readPreference: 'primary' });
  return {
    async latest(scope) {
      const doc = await wrap('read the snapshot job checkpoint', () =>
        col.find({ scopes: scope }, { projection: { startedAt: 1, failedStreams: 1, position: 1 }, sort: { startedAt: -1 }, limit: 1 }).next(),
      );
      if (!doc || !(doc.startedAt instanceof Date)) return null;
      const position = typeof doc.position === 'number' && Number.isSafeInteger(doc.position) && doc.position > 0 ? doc.position : undefined;
      return { startedAt: doc.startedAt, failedStreams: Array.isArray(doc.failedStreams) ? doc.failedStreams.map(String) : [], ...(position !== undefined ? { position } : {}) };
    },
    async record(run) {
      const doc = { ...run, _id: randomUUID(), failedStreams: run.failedStreams.slice(0, MAX_RECORDED_FAILURES) };
      await wrap('record the snapshot job run', () => col.insertOne(doc, { writeConcern: { w: 'majority', j: true } }));
    },
    async prune(keepPerScope) {
      // Decided on the client: a record may name several scopes, and it may go only when each of
      // them has enough newer records. Pruning every run keeps the collection a few dozen
      // documents, which matters on FerretDB, where even the indexed `latest` query scans it.
      const docs = await wrap('list snapshot job runs', () => col.find({}, { projection: { _id: 1, scopes: 1 }, sort: { startedAt: -1 } }).toArray());
      const newer = new Map<string, number>();
      const doomed: string[] = [];
      for (const d of docs) {
        const scopes = Array.isArray(d.scopes) ? d.scopes.map(String) : [];
        if (scopes.length > 0 && scopes.every((s) => (newer.get(s) ?? 0) >= keepPerScope)) doomed.push(d._id);
        for (const s of scopes) newer.set(s, (newer.get(s) ?? 0) + 1);
      }
      if (doomed.length === 0) return 0;
      const res = await wrap('prune old snapshot job runs', () => col.deleteMany({ _id: { $in: doomed } }));
      return res.deletedCount;
    },
  };
}
