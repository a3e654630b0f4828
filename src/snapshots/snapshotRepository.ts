import { BSON, type Collection, type Db, type WriteConcernSettings } from 'mongodb';
import { isDuplicateKeyError } from '../storage/driverErrors.js';
import { wrapDriverError as wrap } from '../storage/wrapDriverError.js';
import { z } from 'zod';
import { StorageError, ValidationError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { decodePayload, encodePayload } from '../serialization/payload.js';
import { findDocuments } from '../storage/findDocuments.js';
import { cursorDocuments } from '../storage/cursorDocuments.js';
import { requireMigrated } from '../storage/requireMigrated.js';
import { parseInput, storedIntSchema, streamIdSchema, streamTypeOf, streamTypeSchema, versionSchema } from '../validation.js';
import type { LatestSnapshotOptions, SaveSnapshotOptions, Snapshot, SnapshotInput } from './types.js';

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

/**
 * Stores timestamped aggregate states in `db`'s `snapshots` collection (created by `migrate()`):
 * `new SnapshotRepository(db, options)`, or `chronicle.snapshots`. Its methods use `this`: bind
 * one before passing it around on its own.
 */
export class SnapshotRepository {
  readonly #logger: Logger;
  readonly #writeConcern: WriteConcernSettings;
  readonly #defaultKeep: number;
  readonly #maxBytes: number;
  readonly #col: Collection<SnapshotDocument>;
  readonly #migrated: () => Promise<void>;

  constructor(db: Db, opts: SnapshotRepositoryOptions = {}) {
    this.#logger = opts.logger ?? silentLogger;
    this.#writeConcern = opts.writeConcern ?? { w: 'majority', j: true };
    this.#defaultKeep = opts.keep ?? 3;
    this.#maxBytes = opts.maxSnapshotBytes ?? 12 * 1024 * 1024;
    this.#col = db.collection<SnapshotDocument>('snapshots', { readPreference: 'primary' });
    // Without its unique index, saving a snapshot twice would store it twice.
    this.#migrated = requireMigrated(this.#col, { streamId: 1, schemaVersion: 1, version: 1 });
  }

  /** Stores a snapshot; saving one that exists already is a no-op (`written: false`). */
  async save(input: SnapshotInput, saveOpts: SaveSnapshotOptions = {}): Promise<{ written: boolean }> {
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
    if (size > this.#maxBytes) {
      throw new ValidationError(`snapshot of "${s.streamId}" at version ${s.version} is ${size} bytes; the limit is ${this.#maxBytes} bytes`, [
        { path: ['state'], message: `document size ${size} exceeds ${this.#maxBytes}` },
      ]);
    }
    let written = true;
    await this.#migrated();
    try {
      await this.#col.insertOne(doc, { writeConcern: this.#writeConcern });
    } catch (err) {
      if (!isDuplicateKeyError(err)) {
        throw new StorageError(`could not save snapshot of "${s.streamId}": ${(err as Error).message}`, { cause: err });
      }
      written = s.commitId !== undefined && (await this.#replaceOtherLineage(doc));
    }
    const keep = saveOpts.keep ?? this.#defaultKeep;
    if (written && saveOpts.prune !== false) await this.prune(s.streamId, keep);
    return { written };
  }

  /** The snapshot with the highest version matching the options, or null. Unreadable documents are skipped. */
  async latest(streamId: string, opts: LatestSnapshotOptions = {}): Promise<Snapshot | null> {
    return (await this.list(streamId, { ...opts, limit: 1 }))[0] ?? null;
  }

  /** Up to `limit` readable snapshots, newest first: the loader's fall-back candidates. */
  async list(streamId: string, opts: LatestSnapshotOptions & { limit?: number } = {}): Promise<Snapshot[]> {
    const id = parseInput(streamIdSchema, streamId, 'streamId');
    const { schemaVersion, maxVersion, limit = 3 } = parseInput(latestSchema, opts, 'snapshot options');
    const filter: Record<string, unknown> = { streamId: id };
    if (schemaVersion !== undefined) filter.schemaVersion = schemaVersion;
    if (maxVersion !== undefined) filter.version = { $lte: maxVersion };
    const out: Snapshot[] = [];
    const cursor = findDocuments(this.#col, filter, { sort: { version: -1 }, batchSize: limit + 2 });
    for await (const doc of cursorDocuments(cursor, `read snapshots of "${id}"`)) {
      const snap = this.#decode(doc);
      if (snap) out.push(snap);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * For many streams at once (one query): up to `limitPerStream` readable snapshots of
   * `schemaVersion` per stream, newest first. Streams without one are absent from the map.
   */
  async listMany(streamIds: string[], opts: { schemaVersion: number; limitPerStream?: number }): Promise<Map<string, Snapshot[]>> {
    const ids = streamIds.map((id) => parseInput(streamIdSchema, id, 'streamId'));
    const { schemaVersion, limit = 3 } = parseInput(latestSchema, { schemaVersion: opts.schemaVersion, limit: opts.limitPerStream }, 'snapshot options');
    const out = new Map<string, Snapshot[]>();
    if (ids.length === 0) return out;
    const cursor = findDocuments(this.#col, { streamId: { $in: ids }, schemaVersion }, { sort: { streamId: 1, version: -1 } });
    for await (const doc of cursorDocuments(cursor, `read snapshots of ${ids.length} streams`)) {
      const list = out.get(String(doc.streamId)) ?? [];
      if (list.length >= limit) continue;
      const snap = this.#decode(doc);
      if (snap) out.set(snap.streamId, [...list, snap]);
    }
    return out;
  }

  /** Deletes all but the newest `keep` snapshots of the stream for each schemaVersion; returns how many went. */
  prune(streamId: string, keep: number): Promise<number> {
    return this.pruneMany([streamId], keep);
  }

  /** `prune` for many streams in one read and at most one delete. */
  async pruneMany(streamIds: string[], keep: number): Promise<number> {
    const ids = streamIds.map((id) => parseInput(streamIdSchema, id, 'streamId'));
    if (ids.length === 0) return 0;
    const what = ids.length === 1 ? `"${ids[0]}"` : `${ids.length} streams`;
    const docs = await wrap(`list snapshots of ${what}`, () =>
      this.#col
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
    const res = await wrap(`prune snapshots of ${what}`, () => this.#col.deleteMany({ _id: { $in: doomed } }, { writeConcern: this.#writeConcern }));
    return res.deletedCount;
  }

  #decode(raw: unknown): Snapshot | null {
    const parsed = docSchema.safeParse(raw);
    const id = (raw as { _id?: unknown })._id;
    if (!parsed.success) {
      this.#logger.warn({ snapshotId: id, problem: z.prettifyError(parsed.error) }, 'ignoring a snapshot document that does not parse');
      return null;
    }
    try {
      const state = decodePayload({ data: parsed.data.state, meta: parsed.data.stateMeta });
      const { streamId, version, schemaVersion, takenAt, commitId } = parsed.data;
      return { streamId, version, schemaVersion, state, takenAt, ...(commitId !== undefined ? { commitId } : {}) };
    } catch (err) {
      this.#logger.warn({ snapshotId: id, problem: (err as Error).message }, 'ignoring a snapshot whose state does not decode');
      return null;
    }
  }

  /**
   * The same (stream, schemaVersion, version) exists already. When it was built from another
   * history (its commit was rolled back and the stream grew back past it), loads ignore it, so
   * replace it, guarded by the commit it recorded. Returns whether it was replaced.
   */
  async #replaceOtherLineage(doc: SnapshotDocument): Promise<boolean> {
    const existing = await wrap(`read snapshot ${doc._id}`, () => this.#col.findOne({ _id: doc._id }, { projection: { commitId: 1 } }));
    if (!existing || existing.commitId === doc.commitId) return false;
    this.#logger.warn({ streamId: doc.streamId, version: doc.version, recorded: existing.commitId ?? null, now: doc.commitId }, 'replacing a snapshot built from another history');
    const res = await wrap(`replace snapshot ${doc._id}`, () =>
      this.#col.replaceOne({ _id: doc._id, commitId: existing.commitId ?? { $exists: false } }, doc, { writeConcern: this.#writeConcern }),
    );
    return res.modifiedCount > 0;
  }
}

/** `new SnapshotRepository(db, opts)`, kept for code written before the class existed. */
export function createSnapshotRepository(db: Db, opts: SnapshotRepositoryOptions = {}): SnapshotRepository {
  return new SnapshotRepository(db, opts);
}
