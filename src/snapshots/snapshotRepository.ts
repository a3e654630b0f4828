import { BSON, type Db, type WriteConcernSettings } from 'mongodb';
import { isDuplicateKeyError } from '../storage/driverErrors.js';
import { wrapDriverError as wrap } from '../storage/wrapDriverError.js';
import { z } from 'zod';
import { StorageError, ValidationError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { decodePayload, encodePayload } from '../serialization/payload.js';
import { findDocuments } from '../storage/findDocuments.js';
import { requireMigrated } from '../storage/requireMigrated.js';
import { parseInput, storedIntSchema, streamIdSchema, streamTypeOf, streamTypeSchema, versionSchema } from '../validation.js';
import type { LatestSnapshotOptions, SaveSnapshotOptions, Snapshot, SnapshotRepository } from './types.js';

/** The `snapshots` collection's document. */
export interface SnapshotDocument {
  _id: string;
  streamId: string;
  streamType: string;
  version: number;
  schemaVersion: number;
  state: unknown;
  /** superjson meta of `state` as a JSON string, only when the state needed it. */
  stateMeta?: string;
  /** The commit that ends at `version` (lineage), when known. */
  commitId?: string;
  takenAt: Date;
}

export interface SnapshotRepositoryOptions {
  logger?: Logger;
  writeConcern?: WriteConcernSettings;
  /** Default number of snapshots kept per stream by `save` (default 3). */
  keep?: number;
  maxSnapshotBytes?: number;
}

const positive = z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' });
const inputSchema = z.object({
  streamId: streamIdSchema,
  streamType: streamTypeSchema.optional(),
  version: versionSchema,
  schemaVersion: positive,
  state: z.unknown(),
  commitId: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(200, { error: 'must be at most 200 characters' }).optional(),
}, { error: 'must be an object { streamId, version, schemaVersion, state, commitId? }' });
const latestSchema = z.strictObject({ schemaVersion: positive.optional(), maxVersion: versionSchema.optional(), limit: positive.max(100).optional() });
const int = storedIntSchema;
const docSchema = z.object({
  _id: z.string(),
  streamId: z.string(),
  version: int,
  schemaVersion: int,
  state: z.unknown(),
  stateMeta: z.string().optional(),
  commitId: z.string().optional(),
  takenAt: z.date(),
});

/** Creates the snapshot repository over `db`'s `snapshots` collection (created by `migrate()`). */
export function createSnapshotRepository(db: Db, opts: SnapshotRepositoryOptions = {}): SnapshotRepository {
  const logger = opts.logger ?? silentLogger;
  const writeConcern = opts.writeConcern ?? { w: 'majority', j: true };
  const defaultKeep = opts.keep ?? 3;
  const maxBytes = opts.maxSnapshotBytes ?? 12 * 1024 * 1024;
  const col = db.collection<SnapshotDocument>('snapshots', { readPreference: 'primary' });
  // Without its unique index, saving a snapshot twice would store it twice.
  const migrated = requireMigrated(col, { streamId: 1, schemaVersion: 1, version: 1 });

  function decode(raw: unknown): Snapshot | null {
    const parsed = docSchema.safeParse(raw);
    const id = (raw as { _id?: unknown })._id;
    if (!parsed.success) {
      logger.warn({ snapshotId: id, problem: z.prettifyError(parsed.error) }, 'ignoring a snapshot document that does not parse');
      return null;
    }
    try {
      const state = decodePayload({ data: parsed.data.state, meta: parsed.data.stateMeta });
      const { streamId, version, schemaVersion, takenAt, commitId } = parsed.data;
      return { streamId, version, schemaVersion, state, takenAt, ...(commitId !== undefined ? { commitId } : {}) };
    } catch (err) {
      logger.warn({ snapshotId: id, problem: (err as Error).message }, 'ignoring a snapshot whose state does not decode');
      return null;
    }
  }

  async function list(streamId: string, o: LatestSnapshotOptions & { limit?: number } = {}): Promise<Snapshot[]> {
    const id = parseInput(streamIdSchema, streamId, 'streamId');
    const { schemaVersion, maxVersion, limit = 3 } = parseInput(latestSchema, o, 'snapshot options');
    const filter: Record<string, unknown> = { streamId: id };
    if (schemaVersion !== undefined) filter.schemaVersion = schemaVersion;
    if (maxVersion !== undefined) filter.version = { $lte: maxVersion };
    const out: Snapshot[] = [];
    const cursor = findDocuments(col, filter, { sort: { version: -1 }, batchSize: limit + 2 });
    try {
      for (;;) {
        const doc = await wrap(`read snapshots of "${id}"`, () => cursor.next());
        if (!doc) break;
        const snap = decode(doc);
        if (snap) out.push(snap);
        if (out.length >= limit) break;
      }
    } finally {
      await cursor.close().catch(() => {});
    }
    return out;
  }

  async function pruneMany(streamIds: string[], keep: number): Promise<number> {
    const ids = streamIds.map((id) => parseInput(streamIdSchema, id, 'streamId'));
    if (ids.length === 0) return 0;
    const what = ids.length === 1 ? `"${ids[0]}"` : `${ids.length} streams`;
    const docs = await wrap(`list snapshots of ${what}`, () =>
      col
        .find({ streamId: ids.length === 1 ? ids[0] : { $in: ids } }, { projection: { _id: 1, streamId: 1, schemaVersion: 1, version: 1 }, sort: { streamId: 1, version: -1 }, useBigInt64: true })
        .toArray(),
    );
    const seen = new Map<string, number>();
    const doomed: string[] = [];
    for (const d of docs) {
      const key = `${d.streamId}\u0000${Number(d.schemaVersion)}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n > keep) doomed.push(d._id);
    }
    if (doomed.length === 0) return 0;
    const res = await wrap(`prune snapshots of ${what}`, () => col.deleteMany({ _id: { $in: doomed } }, { writeConcern }));
    return res.deletedCount;
  }
  const prune = (streamId: string, keep: number) => pruneMany([streamId], keep);

  /**
   * The same (stream, schemaVersion, version) exists already. When it was built from another
   * history (its commit was rolled back and the stream grew back past it), loads ignore it, so
   * replace it, guarded by the commit it recorded. Returns whether it was replaced.
   */
  async function replaceOtherLineage(doc: SnapshotDocument): Promise<boolean> {
    const existing = await wrap(`read snapshot ${doc._id}`, () => col.findOne({ _id: doc._id }, { projection: { commitId: 1 } }));
    if (!existing || existing.commitId === doc.commitId) return false;
    logger.warn({ streamId: doc.streamId, version: doc.version, recorded: existing.commitId ?? null, now: doc.commitId }, 'replacing a snapshot built from another history');
    const res = await wrap(`replace snapshot ${doc._id}`, () =>
      col.replaceOne({ _id: doc._id, commitId: existing.commitId ?? { $exists: false } }, doc, { writeConcern }),
    );
    return res.modifiedCount > 0;
  }

  return {
    async save(input, saveOpts: SaveSnapshotOptions = {}) {
      const s = parseInput(inputSchema, input, 'snapshot');
      const payload = encodePayload(s.state, 'state');
      const doc: SnapshotDocument = {
        // Deterministic id: the same snapshot saved twice collides and stays a no-op.
        _id: JSON.stringify([s.streamId, s.schemaVersion, s.version]),
        streamId: s.streamId,
        streamType: s.streamType ?? streamTypeOf(s.streamId),
        version: s.version,
        schemaVersion: s.schemaVersion,
        state: payload.data,
        ...(payload.meta !== undefined ? { stateMeta: payload.meta } : {}),
        ...(s.commitId !== undefined ? { commitId: s.commitId } : {}),
        takenAt: new Date(),
      };
      const size = BSON.calculateObjectSize(doc);
      if (size > maxBytes) {
        throw new ValidationError(`snapshot of "${s.streamId}" at version ${s.version} is ${size} bytes; the limit is ${maxBytes} bytes`, [
          { path: ['state'], message: `document size ${size} exceeds ${maxBytes}` },
        ]);
      }
      let written = true;
      await migrated();
      try {
        await col.insertOne(doc, { writeConcern });
      } catch (err) {
        if (!isDuplicateKeyError(err)) {
          throw new StorageError(`could not save snapshot of "${s.streamId}": ${(err as Error).message}`, { cause: err });
        }
        written = s.commitId !== undefined && (await replaceOtherLineage(doc));
      }
      const keep = saveOpts.keep ?? defaultKeep;
      if (written && saveOpts.prune !== false) await prune(s.streamId, keep);
      return { written };
    },
    async latest(streamId, o = {}) {
      return (await list(streamId, { ...o, limit: 1 }))[0] ?? null;
    },
    list,
    async listMany(streamIds, o) {
      const ids = streamIds.map((id) => parseInput(streamIdSchema, id, 'streamId'));
      const { schemaVersion, limit = 3 } = parseInput(latestSchema, { schemaVersion: o.schemaVersion, limit: o.limitPerStream }, 'snapshot options');
      const out = new Map<string, Snapshot[]>();
      if (ids.length === 0) return out;
      const cursor = findDocuments(col, { streamId: { $in: ids }, schemaVersion }, { sort: { streamId: 1, version: -1 } });
      try {
        for (;;) {
          const doc = await wrap(`read snapshots of ${ids.length} streams`, () => cursor.next());
          if (!doc) break;
          const list = out.get(String(doc.streamId)) ?? [];
          if (list.length >= limit) continue;
          const snap = decode(doc);
          if (snap) out.set(snap.streamId, [...list, snap]);
        }
      } finally {
        await cursor.close().catch(() => {});
      }
      return out;
    },
    prune,
    pruneMany,
  };
}
