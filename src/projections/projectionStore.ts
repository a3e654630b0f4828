import type { AnyBulkWriteOperation, Collection, Db, Document } from 'mongodb';
import { isDriverError, isDuplicateKeyError, isNamespaceNotFoundError } from '../storage/driverErrors.js';
import type { ProjectionFailurePoint } from '../errors.js';
import { findDocuments } from '../storage/findDocuments.js';
import { wrapDriverError } from '../storage/wrapDriverError.js';
import type { DocumentWrite, StoredDocument } from './foldBatch.js';
import type { ProjectionDocument, ProjectionState } from './types.js';
import { MAX_WRITE_STATEMENTS } from '../storage/writeBatchLimit.js';

/** A stored read-model document. */
export type ReadModelDocument = Document & { _id: string; _position?: number };

/** A projection version's checkpoint record in `projections`. */
export interface CheckpointRecord {
  /** `<name>@<version>`. */
  _id: string;
  name: string;
  version: number;
  collection: string;
  /** Last position applied to the collection; everything up to it is in. */
  position: number;
  status: ProjectionState;
  error?: { message: string; at: ProjectionFailurePoint | null } | null;
  /** When this version first caught up: from then on it is the live one. */
  liveSince?: Date | null;
  /** When a newer version took over; its collection is dropped after a grace period. */
  retiredAt?: Date | null;
  /** The retired collection was dropped. */
  dropped?: boolean;
  /**
   * A rebuild of this version (`chronicle projections rebuild`): a fresh collection filled from
   * position 1 beside the live one, which it replaces once it caught up with it.
   */
  rebuild?: { collection: string; position: number; requestedAt: Date } | null;
  /** Set by a runner that wrote after losing its lease: the active runner re-runs from here. */
  suspectFrom?: number | null;
  /** A collection replaced by a rebuild, dropped once `at` is a grace period old. */
  replaced?: { collection: string; at: Date } | null;
  updatedAt: Date;
}

export const CHECKPOINTS = 'projections';
/**
 * Positions of deleted read-model documents, `_id` `<collection>/<documentId>`: what a
 * re-run after a crash (or a late runner) must know to skip events a deletion already covers.
 */
export const TOMBSTONES = 'projection_tombstones';

const isDuplicateKey = isDuplicateKeyError;
/** The op indexes of a bulk write that failed only on duplicate keys; null for any other failure. */
const duplicateIndexes = (err: unknown): number[] | null => {
  const writeErrors = isDriverError(err) ? (err as { writeErrors?: unknown }).writeErrors : undefined;
  if (!writeErrors) return null;
  const list = (Array.isArray(writeErrors) ? writeErrors : [writeErrors]) as { code?: unknown; index?: unknown }[];
  if (list.some((w) => w.code !== 11000 || typeof w.index !== 'number')) return null;
  return list.map((w) => w.index as number);
};
const toNumber = (v: unknown) => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0);

/** The driver calls of projections: checkpoints, read models and tombstones. */
export function createProjectionStore(db: Db) {
  const checkpoints = db.collection<CheckpointRecord>(CHECKPOINTS, { readPreference: 'primary' });
  const tombstones = db.collection<{ _id: string; _position: number }>(TOMBSTONES, { readPreference: 'primary' });
  const majority = { writeConcern: { w: 'majority' as const, j: true } };
  const readModel = (name: string) => db.collection<ReadModelDocument>(name, { readPreference: 'primary', ignoreUndefined: true });

  return {
    /** Creates the record of a version unless it exists; returns the stored one. */
    async ensureCheckpoint(rec: Omit<CheckpointRecord, 'updatedAt'>): Promise<CheckpointRecord> {
      try {
        await checkpoints.insertOne({ ...rec, updatedAt: new Date() }, majority);
      } catch (err) {
        if (!isDuplicateKey(err)) await wrapDriverError(`create checkpoint "${rec._id}"`, () => Promise.reject(err as Error));
      }
      const stored = await this.checkpoint(rec._id);
      if (!stored) throw new Error(`checkpoint "${rec._id}" vanished right after it was created`);
      return stored;
    },

    checkpoint: (id: string) => wrapDriverError(`read checkpoint "${id}"`, async () => normalize(await checkpoints.findOne({ _id: id }))),

    async checkpoints(name?: string): Promise<CheckpointRecord[]> {
      const docs = await wrapDriverError('read projection checkpoints', () => checkpoints.find(name === undefined ? {} : { name }).sort({ name: 1, version: 1 }).toArray());
      return docs.map((d) => normalize(d)!);
    },

    /** Moves the checkpoint forward (never back: a late runner cannot undo a newer one). */
    async advance(id: string, position: number, set: Partial<CheckpointRecord> = {}): Promise<boolean> {
      const r = await wrapDriverError(`advance checkpoint "${id}"`, () =>
        checkpoints.updateOne({ _id: id, position: { $lt: position }, status: { $ne: 'retired' } }, { $set: { ...set, position, updatedAt: new Date() } }, majority),
      );
      return r.matchedCount === 1;
    },

    async setStatus(id: string, set: Partial<CheckpointRecord>, unless: ProjectionState[] = []): Promise<boolean> {
      const r = await wrapDriverError(`update checkpoint "${id}"`, () =>
        checkpoints.updateOne({ _id: id, ...(unless.length ? { status: { $nin: unless } } : {}) }, { $set: { ...set, updatedAt: new Date() } }, majority),
      );
      return r.matchedCount === 1;
    },

    /** Marks that a late runner wrote from `from` on (kept at the lowest such position). */
    async markSuspect(id: string, from: number): Promise<void> {
      await wrapDriverError(`mark checkpoint "${id}"`, () =>
        checkpoints.updateOne({ _id: id, $or: [{ suspectFrom: { $exists: false } }, { suspectFrom: null }, { suspectFrom: { $gt: from } }] }, { $set: { suspectFrom: from } }, majority),
      );
    },

    async clearSuspect(id: string, from: number): Promise<void> {
      await wrapDriverError(`clear the mark of checkpoint "${id}"`, () => checkpoints.updateOne({ _id: id, suspectFrom: from }, { $set: { suspectFrom: null } }, majority));
    },

    /** Moves a rebuild's checkpoint forward. */
    async advanceRebuild(id: string, collection: string, position: number): Promise<boolean> {
      const r = await wrapDriverError(`advance the rebuild of "${id}"`, () =>
        checkpoints.updateOne({ _id: id, 'rebuild.collection': collection, 'rebuild.position': { $lt: position } }, { $set: { 'rebuild.position': position, updatedAt: new Date() } }, majority),
      );
      return r.matchedCount === 1;
    },

    /** The rebuilt collection becomes the version's collection; the old one is dropped later. */
    async switchToRebuilt(id: string, rebuilt: string, position: number, old: string): Promise<boolean> {
      const r = await wrapDriverError(`switch "${id}" to ${rebuilt}`, () =>
        checkpoints.updateOne(
          { _id: id, 'rebuild.collection': rebuilt, collection: old },
          { $set: { collection: rebuilt, position, rebuild: null, replaced: { collection: old, at: new Date() }, updatedAt: new Date() } },
          majority,
        ),
      );
      return r.matchedCount === 1;
    },

    /**
     * Asks the runner of `id` to rebuild it into `collection`, created here with the indexes of
     * the live collection (a rebuild must serve the same queries).
     */
    async requestRebuild(id: string, from: string, collection: string): Promise<boolean> {
      await wrapDriverError(`create ${collection}`, async () => {
        const indexes = await db.collection(from).indexes().catch(() => []);
        await db.createCollection(collection);
        for (const ix of indexes) {
          if (ix.name === '_id_') continue;
          const { key, name, v: _v, ns: _ns, ...options } = ix as typeof ix & { ns?: string };
          void _v;
          void _ns;
          await db.collection(collection).createIndex(key, { ...options, ...(name ? { name } : {}) });
        }
      });
      const r = await wrapDriverError(`request a rebuild of "${id}"`, () =>
        checkpoints.updateOne({ _id: id, status: { $nin: ['retired', 'failed'] }, rebuild: { $in: [null] } }, { $set: { rebuild: { collection, position: 0, requestedAt: new Date() }, updatedAt: new Date() } }, majority),
      );
      return r.matchedCount === 1;
    },

    /** The documents of `ids` as stored before a batch: collection and tombstones read together. */
    async readDocuments(collection: string, ids: string[]): Promise<Map<string, StoredDocument>> {
      const out = new Map<string, StoredDocument>();
      if (ids.length === 0) return out;
      const [docs, tombs] = await Promise.all([
        wrapDriverError(`read documents of ${collection}`, () => findDocuments(readModel(collection), { _id: { $in: ids } }).toArray()),
        wrapDriverError('read tombstones', () => findDocuments(tombstones, { _id: { $in: ids.map((id) => `${collection}/${id}`) } }).toArray()),
      ]);
      const deletedAt = new Map(tombs.map((t) => [t._id.slice(collection.length + 1), toNumber(t._position)]));
      for (const d of docs) {
        const { _id, _position, ...doc } = d;
        const at = toNumber(_position);
        const tomb = deletedAt.get(String(_id)) ?? 0;
        // A tombstone newer than the document: deleted then, the document is a late runner's leftover.
        out.set(String(_id), tomb > at ? { doc: null, position: tomb, inCollection: at } : { doc: doc as ProjectionDocument, position: at, inCollection: at });
      }
      for (const [id, at] of deletedAt) if (!out.has(id)) out.set(id, { doc: null, position: at, inCollection: null });
      return out;
    },

    /**
     * Writes a batch's documents, each guarded by its `_position`: inserts rely on the unique
     * `_id`, replacements and deletions only touch a document older than the write. Tombstones go
     * first, so a crash between them and the deletion still records the deletion's position.
     */
    async writeDocuments(collection: string, writes: DocumentWrite[]): Promise<void> {
      const deletions = writes.filter((w) => w.doc === null);
      if (deletions.length > 0) {
        const ops: AnyBulkWriteOperation<{ _id: string; _position: number }>[] = deletions.map((w) => ({
          replaceOne: { filter: { _id: `${collection}/${w.id}`, _position: { $lt: w.position } }, replacement: { _position: w.position }, upsert: true },
        }));
        await bulk('write tombstones', tombstones, ops);
      }
      const col = readModel(collection);
      const replace = (w: DocumentWrite): AnyBulkWriteOperation<ReadModelDocument> => ({
        replaceOne: { filter: { _id: w.id, _position: { $lt: w.position } }, replacement: { ...w.doc, _position: w.position } },
      });
      const ops: AnyBulkWriteOperation<ReadModelDocument>[] = writes.map((w) => {
        if (w.doc === null) return { deleteOne: { filter: { _id: w.id, _position: { $lt: w.position } } } };
        if (w.before.inCollection === null) return { insertOne: { document: { _id: w.id, ...w.doc, _position: w.position } } };
        return replace(w);
      });
      const lost = await bulk(`write documents of ${collection}`, col, ops);
      // An insert that met a document: someone else wrote it since we read; retry it guarded.
      if (lost.length > 0) await bulk(`write documents of ${collection}`, col, lost.map((i) => replace(writes[i]!)));
    },

    async dropCollection(name: string): Promise<void> {
      await wrapDriverError(`drop ${name}`, async () => {
        try {
          await db.collection(name).drop();
        } catch (err) {
          if (!isNamespaceNotFoundError(err)) throw err;
        }
      });
    },

    async dropTombstones(collection: string): Promise<void> {
      const prefix = collection.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      await wrapDriverError('delete tombstones', () => tombstones.deleteMany({ _id: { $regex: `^${prefix}/` } }));
    },

    readModel,
  };

  /**
   * Unordered bulk write in chunks of at most `MAX_WRITE_STATEMENTS` operations (FerretDB 1.24
   * hangs on update commands with many statements); duplicate-key failures are returned (their
   * op indexes), others thrown.
   */
  async function bulk<T extends Document>(what: string, col: Collection<T>, ops: AnyBulkWriteOperation<T>[]): Promise<number[]> {
    const lost: number[] = [];
    for (let start = 0; start < ops.length; start += MAX_WRITE_STATEMENTS) {
      const chunk = ops.slice(start, start + MAX_WRITE_STATEMENTS);
      try {
        await col.bulkWrite(chunk, { ordered: false, ...majority });
      } catch (err) {
        const dup = duplicateIndexes(err) ?? (isDuplicateKey(err) ? [0] : null);
        if (!dup) return wrapDriverError(`${what}`, () => Promise.reject(err as Error));
        lost.push(...dup.filter((i) => 'insertOne' in (chunk[i] ?? {})).map((i) => start + i));
      }
    }
    return lost;
  }
}

export type ProjectionStore = ReturnType<typeof createProjectionStore>;

function normalize(d: CheckpointRecord | null): CheckpointRecord | null {
  if (!d) return null;
  const rebuild = d.rebuild ? { ...d.rebuild, position: toNumber(d.rebuild.position) } : null;
  const suspectFrom = d.suspectFrom === null || d.suspectFrom === undefined ? null : toNumber(d.suspectFrom);
  return { ...d, version: toNumber(d.version), position: toNumber(d.position), rebuild, suspectFrom };
}
