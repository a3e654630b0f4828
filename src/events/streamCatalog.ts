import type { Db, Document, Filter } from 'mongodb';
import { wrapDriverError as wrap } from '../storage/wrapDriverError.js';
import { cursorDocuments } from '../storage/cursorDocuments.js';

/** A commit as candidate discovery sees it: just enough to know which stream moved, and how far. */
export interface CommitHead {
  streamId: string;
  streamType: string;
  /** Stream version after this commit. */
  version: number;
}

/** Which commits of one stream type discovery reads: all of them, or those recorded since a time. */
export interface DiscoveryClause {
  streamType: string;
  /** Only commits with `recordedAt >= since`; absent: every commit of the type. */
  since?: Date;
}

/** One stream, as `chronicle streams` and `chronicle stats` show it. */
export interface StreamSummary {
  streamId: string;
  streamType: string;
  /** Head version, which is also the number of events (versions run 1, 2, … without gaps). */
  version: number;
  commits: number;
  /** Highest snapshot version for the type's current state shape (or any shape when unknown); null when none. */
  snapshotVersion: number | null;
  /** Snapshot documents of the stream, of any state shape. */
  snapshots: number;
}

export interface StreamListOptions {
  streamType?: string;
  /** Current `schemaVersion` per stream type; snapshots of other shapes are ignored for those types. */
  schemaVersions?: Record<string, number>;
}

/** Read-only queries over streams that no single stream's repository answers. */
export interface StreamCatalog {
  /** Projected commits matching any clause, in no particular order: the snapshot job's candidates. */
  commitHeads(clauses: DiscoveryClause[], opts?: { batchSize?: number }): AsyncIterable<CommitHead>;
  /** Highest snapshot version of `schemaVersion` for each of `streamIds` that has one. */
  snapshotVersions(streamIds: string[], schemaVersion: number): Promise<Map<string, number>>;
  /** Every stream (of a type) with its head and latest snapshot, sorted by id, and the number of snapshot documents (of that type). */
  listStreams(opts?: StreamListOptions): Promise<{ streams: StreamSummary[]; snapshots: number }>;
  /** True when no commit has ever been stored. */
  isEmpty(): Promise<boolean>;
}

/**
 * Creates the stream catalog over `db`'s `events` and `snapshots` collections.
 *
 * Every query here is a plain `find` with a projection, folded on the client. FerretDB's
 * `$group` has no `$max` and its SQLite backend evaluates every filter by scanning anyway, so an
 * aggregation would buy nothing there; on MongoDB the filters below are served by the indexes
 * of migrations 001-003, and the projections keep what crosses the wire to a few dozen bytes
 * per commit.
 */
export function createStreamCatalog(db: Db, opts: { eventsCollection?: string } = {}): StreamCatalog {
  const events = db.collection(opts.eventsCollection ?? 'events', { readPreference: 'primary' });
  const snapshots = db.collection('snapshots', { readPreference: 'primary' });
  const headProjection = { _id: 0, streamId: 1, streamType: 1, version: 1 };

  return {
    async *commitHeads(clauses, o = {}) {
      if (clauses.length === 0) return;
      const parts: Filter<Document>[] = clauses.map((c) => (c.since ? { streamType: c.streamType, recordedAt: { $gte: c.since } } : { streamType: c.streamType }));
      const filter = parts.length === 1 ? (parts[0] as Filter<Document>) : { $or: parts };
      const cursor = events.find(filter, { projection: headProjection, batchSize: o.batchSize ?? 5_000 });
      for await (const doc of cursorDocuments(cursor, 'read commits for snapshot candidates')) {
        yield { streamId: String(doc.streamId), streamType: String(doc.streamType), version: Number(doc.version) };
      }
    },

    async snapshotVersions(streamIds, schemaVersion) {
      const out = new Map<string, number>();
      if (streamIds.length === 0) return out;
      const docs = await wrap('read snapshot versions', () =>
        snapshots.find({ streamId: { $in: streamIds }, schemaVersion }, { projection: { _id: 0, streamId: 1, version: 1 } }).toArray(),
      );
      for (const d of docs) {
        const id = String(d.streamId);
        out.set(id, Math.max(out.get(id) ?? 0, Number(d.version)));
      }
      return out;
    },

    async listStreams(o = {}) {
      const typeFilter: Filter<Document> = o.streamType ? { streamType: o.streamType } : {};
      const byId = new Map<string, StreamSummary>();
      const cursor = events.find(typeFilter, { projection: headProjection, batchSize: 10_000 });
      for await (const doc of cursorDocuments(cursor, 'list streams')) {
        const id = String(doc.streamId);
        const version = Number(doc.version);
        const s = byId.get(id);
        if (s) {
          s.commits += 1;
          s.version = Math.max(s.version, version);
        } else {
          byId.set(id, { streamId: id, streamType: String(doc.streamType), version, commits: 1, snapshotVersion: null, snapshots: 0 });
        }
      }
      const snaps = await wrap('list snapshots', () =>
        snapshots.find(typeFilter, { projection: { _id: 0, streamId: 1, streamType: 1, schemaVersion: 1, version: 1 } }).toArray(),
      );
      for (const d of snaps) {
        const s = byId.get(String(d.streamId));
        if (!s) continue;
        s.snapshots += 1;
        const current = o.schemaVersions?.[s.streamType];
        if (current !== undefined && Number(d.schemaVersion) !== current) continue;
        s.snapshotVersion = Math.max(s.snapshotVersion ?? 0, Number(d.version));
      }
      const streams = [...byId.values()].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
      return { streams, snapshots: snaps.length };
    },

    async isEmpty() {
      const one = await wrap('check for events', () => events.findOne({}, { projection: { _id: 1 } }));
      return one === null;
    },
  };
}
