import { Long, type AnyBulkWriteOperation, type Collection, type Db } from 'mongodb';
import { insertedBeforeFailure, isDuplicateKeyError } from '../storage/driverErrors.js';
import { MAX_WRITE_STATEMENTS } from '../storage/writeBatchLimit.js';
import type { CommitDocument } from '../events/commitDocument.js';
import { findDocuments } from '../storage/findDocuments.js';
import { cursorDocuments } from '../storage/cursorDocuments.js';
import { wrapDriverError } from '../storage/wrapDriverError.js';

/** A `positions` document: the truth of the global log. */
export interface PositionDocument {
  /** The position (1, 2, …). */
  _id: number;
  commitId: string;
  streamId: string;
  /** The commit's stream type, so readers can filter positions without reading commits. */
  streamType: string;
  version: number;
  recordedAt: Date;
}

/** What the sequencer needs to know about an un-numbered commit. */
export interface PendingCommit {
  _id: string;
  streamId: string;
  streamType: string;
  prev: number;
  version: number;
  recordedAt: Date;
}

/** The driver calls of the global log: `positions` and the `position` copies in `events`. */
export interface LogRepository {
  readonly events: Collection<CommitDocument>;
  /** Oldest un-numbered commits (position null or missing) first, at most `limit`. */
  pendingCommits(limit: number): Promise<PendingCommit[]>;
  /** Every un-numbered commit of these streams (to pull in predecessors a batch lacks). */
  pendingOfStreams(streamIds: string[]): Promise<PendingCommit[]>;
  head(): Promise<number>;
  /**
   * Ordered insert of positions; how many landed (all of them unless one already existed, by
   * number or by commit: someone else numbered first, and the insert stopped there).
   */
  insertPositions(docs: PositionDocument[]): Promise<{ inserted: number; conflict: boolean }>;
  /** Positions of these commits that exist, by commitId. */
  positionsOf(commitIds: string[]): Promise<Map<string, number>>;
  /** Positions after `after`, at most `limit`, ascending. */
  positionsAfter(after: number, limit: number): Promise<PositionDocument[]>;
  /** Sets the `position` copies (idempotent: a commit's position never changes). */
  setCopies(copies: { commitId: string; position: number }[]): Promise<void>;
  commitsById(ids: string[]): Promise<Map<string, CommitDocument>>;
  countPending(): Promise<number>;
  /** Stream and version of each position after `after` (the snapshot job's discovery), in no particular order. */
  headsAfter(after: number): AsyncIterable<{ streamId: string; streamType: string; version: number }>;
  oldestPending(): Promise<Date | null>;
}

/** Updates per command when setting copies (see `setCopies`). */
const pendingProjection = { _id: 1, streamId: 1, streamType: 1, prev: 1, version: 1, recordedAt: 1 };
const toPending = (d: Record<string, unknown>): PendingCommit => ({
  _id: String(d._id),
  streamId: String(d.streamId),
  streamType: String(d.streamType),
  prev: Number(d.prev),
  version: Number(d.version),
  recordedAt: d.recordedAt instanceof Date ? d.recordedAt : new Date(0),
});

/** Creates the log repository over `db` (collections created by migration 005). */
export function createLogRepository(db: Db, eventsCollection = 'events'): LogRepository {
  const events = db.collection<CommitDocument>(eventsCollection, { readPreference: 'primary' });
  const positions = db.collection<PositionDocument>('positions', { readPreference: 'primary' });
  const majority = { w: 'majority' as const, j: true };
  return {
    events,
    async pendingCommits(limit) {
      const docs = await wrapDriverError('read un-numbered commits', () =>
        events.find({ position: null }, { projection: pendingProjection, sort: { recordedAt: 1, _id: 1 }, limit }).toArray(),
      );
      return docs.map((d) => toPending(d as unknown as Record<string, unknown>));
    },
    async pendingOfStreams(streamIds) {
      const docs = await wrapDriverError('read un-numbered commits of streams', () =>
        events.find({ streamId: { $in: streamIds }, position: null }, { projection: pendingProjection }).toArray(),
      );
      return docs.map((d) => toPending(d as unknown as Record<string, unknown>));
    },
    async head() {
      const top = await wrapDriverError('read the log head', () => positions.find({}, { projection: { _id: 1 }, sort: { _id: -1 }, limit: 1 }).next());
      return top ? Number(top._id) : 0;
    },
    async insertPositions(docs) {
      try {
        // Stored as Int64 (DESIGN.md): readable in Compass, exact far beyond int32.
        const stored = docs.map((d) => ({ ...d, _id: Long.fromNumber(d._id) })) as unknown as PositionDocument[];
        await positions.insertMany(stored, { ordered: true, writeConcern: majority });
        return { inserted: docs.length, conflict: false };
      } catch (err) {
        if (isDuplicateKeyError(err)) return { inserted: insertedBeforeFailure(err), conflict: true };
        return wrapDriverError('insert positions', () => Promise.reject(err as Error));
      }
    },
    async positionsOf(commitIds) {
      const docs = await wrapDriverError('read positions of commits', () =>
        positions.find({ commitId: { $in: commitIds } }, { projection: { _id: 1, commitId: 1 } }).toArray(),
      );
      return new Map(docs.map((d) => [String(d.commitId), Number(d._id)]));
    },
    async positionsAfter(after, limit) {
      const docs = await wrapDriverError('read the log', () =>
        findDocuments(positions, { _id: { $gt: after, $lte: after + limit } }, { sort: { _id: 1 } }).toArray(),
      );
      return docs.map((d) => ({ ...d, _id: Number(d._id), version: Number(d.version) }));
    },
    async setCopies(copies) {
      if (copies.length === 0) return;
      const ops: AnyBulkWriteOperation<CommitDocument>[] = copies.map((c) => ({ updateOne: { filter: { _id: c.commitId }, update: { $set: { position: Long.fromNumber(c.position) as unknown as number } } } }));
      // FerretDB hangs on update commands with many statements (see MAX_WRITE_STATEMENTS).
      for (let i = 0; i < ops.length; i += MAX_WRITE_STATEMENTS) {
        const chunk = ops.slice(i, i + MAX_WRITE_STATEMENTS);
        await wrapDriverError('set position copies', () => events.bulkWrite(chunk, { ordered: false }));
      }
    },
    async commitsById(ids) {
      if (ids.length === 0) return new Map();
      const docs = await wrapDriverError('read logged commits', () => findDocuments(events, { _id: { $in: ids } }).toArray());
      return new Map(docs.map((d) => [String(d._id), d]));
    },
    async *headsAfter(after) {
      const cursor = positions.find({ _id: { $gt: after } }, { projection: { _id: 0, streamId: 1, streamType: 1, version: 1 }, batchSize: 5_000 });
      for await (const d of cursorDocuments(cursor, 'read positions for snapshot candidates')) {
        yield { streamId: String(d.streamId), streamType: String(d.streamType), version: Number(d.version) };
      }
    },
    countPending: () => wrapDriverError('count un-numbered commits', () => events.countDocuments({ position: null })),
    async oldestPending() {
      const doc = await wrapDriverError('read the oldest un-numbered commit', () =>
        events.find({ position: null }, { projection: { recordedAt: 1 }, sort: { recordedAt: 1 }, limit: 1 }).next(),
      );
      return doc?.recordedAt instanceof Date ? doc.recordedAt : null;
    },
  };
}
