import type { Db } from 'mongodb';
import { z } from 'zod';
import { AbortedError, ProjectionFailedError, ProjectionTimeoutError } from '../errors.js';
import { createGlobalLog } from '../log/globalLog.js';
import { parseInput } from '../validation.js';
import { waitForCheckpoint } from './checkpointNotice.js';
import { collectionNameOf, projectionIdOf } from './defineProjection.js';
import { createProjectionStore, type CheckpointRecord } from './projectionStore.js';
import type { AnyProjectionDefinition, ProjectionHandle, ProjectionStatus } from './types.js';

const waitOptionsSchema = z.strictObject(
  {
    timeoutMs: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, { error: 'must not be negative' }).max(2_147_483_647).optional(),
    signal: z.instanceof(AbortSignal, { error: 'must be an AbortSignal' }).optional(),
  },
  { error: 'must be an object { timeoutMs?, signal? }' },
);
const commitIdSchema = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });

/**
 * The version readers use: the newest version up to `def.version` that caught up (and was not
 * dropped), else `def.version` itself. A version is only ever marked live after it reached the
 * end of the log, so a half-built collection is never chosen while a complete one exists.
 */
export function liveVersionOf(records: CheckpointRecord[], def: AnyProjectionDefinition): { version: number; record: CheckpointRecord | null } {
  const live = records.filter((r) => r.version <= def.version && r.liveSince && !r.dropped).sort((a, b) => b.version - a.version)[0];
  if (live) return { version: live.version, record: live };
  return { version: def.version, record: records.find((r) => r.version === def.version) ?? null };
}

/** `chronicle.projection(def)`: the read side of a projection (see `ProjectionHandle`). */
export function createProjectionHandle<TDoc extends Record<string, unknown>>(db: Db, def: AnyProjectionDefinition): ProjectionHandle<TDoc> {
  const store = createProjectionStore(db);
  const log = createGlobalLog(db);
  return {
    async collection() {
      // The record names the collection: `<name>_v<version>`, or the one a rebuild filled.
      const { record } = liveVersionOf(await store.checkpoints(def.name), def);
      return store.readModel(record?.collection ?? collectionNameOf(def)) as never;
    },
    async status(): Promise<ProjectionStatus> {
      const [rec, head] = await Promise.all([store.checkpoint(projectionIdOf(def)), log.head()]);
      return statusOf(def, rec, head);
    },
    async waitFor(commitId, opts = {}) {
      const id = parseInput(commitIdSchema, commitId, 'commitId');
      const o = parseInput(waitOptionsSchema, opts, 'waitFor options');
      const timeoutMs = o.timeoutMs ?? 5_000;
      const deadline = performance.now() + timeoutMs;
      let position: number | null = null;
      let checkpoint = 0;
      let pause = 5;
      for (;;) {
        if (o.signal?.aborted) throw new AbortedError('waitFor aborted', { cause: o.signal.reason });
        position ??= await log.positionOf(id);
        let watched = projectionIdOf(def);
        if (position !== null) {
          const { record } = liveVersionOf(await store.checkpoints(def.name), def);
          if (record) {
            watched = record._id;
            checkpoint = record.position;
            if (record.position >= position) return;
            if (record.status === 'failed') throw new ProjectionFailedError(record._id, record.error?.at ?? null, `it stopped before commit "${id}" (position ${position}): ${record.error?.message ?? 'unknown error'}`);
          }
        }
        const left = deadline - performance.now();
        if (left <= 0) throw new ProjectionTimeoutError(projectionIdOf(def), id, position, checkpoint, timeoutMs);
        await waitForCheckpoint(db, watched, Math.min(left, pause), o.signal);
        pause = Math.min(100, pause * 2);
      }
    },
  };
}

/** A version's status from its checkpoint record (absent: nothing ran yet) and the log head. */
export function statusOf(def: Pick<AnyProjectionDefinition, 'name' | 'version'>, rec: CheckpointRecord | null, head: number): ProjectionStatus {
  const position = rec?.position ?? 0;
  return {
    name: def.name,
    version: def.version,
    position,
    head,
    lag: Math.max(0, head - position),
    state: rec?.status ?? 'catching-up',
    ...(rec?.status === 'failed' && rec.error ? { error: rec.error } : {}),
    collection: rec?.collection ?? collectionNameOf(def),
    liveSince: rec?.liveSince ?? null,
    updatedAt: rec?.updatedAt ?? null,
  };
}
