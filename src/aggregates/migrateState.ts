import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Snapshot, SnapshotRepository } from '../snapshots/types.js';
import type { AnyAggregateDefinition } from './types.js';

/**
 * An older-schema snapshot migrated to the current schema: a candidate that loads check by the
 * same lineage rule as any other snapshot (it keeps the original's version and `commitId`).
 */
export type MigratedBase<TState> = Snapshot<TState> & { migratedFromSchemaVersion: number };

/** The `migratedFromSchemaVersion` field of a loaded aggregate whose base was migrated, else nothing. */
export function migrationOf(base: object | null): { migratedFromSchemaVersion?: number } {
  const from = (base as Partial<MigratedBase<unknown>> | null)?.migratedFromSchemaVersion;
  return from !== undefined ? { migratedFromSchemaVersion: from } : {};
}

/** Older snapshots tried per stream before giving up on migration (then: a full replay). */
const CANDIDATES_PER_SCHEMA = 3;

/**
 * The older state schema versions that `migrateState` leads to the current one, newest first:
 * with `schemaVersion` 3 and steps {1, 2}, [2, 1]; with only {2}, [2].
 */
export function migrationSources(def: AnyAggregateDefinition): number[] {
  const steps = def.migrateState ?? {};
  const out: number[] = [];
  for (let v = def.schemaVersion - 1; v >= 1 && typeof steps[v] === 'function'; v--) out.push(v);
  return out;
}

/**
 * Migrates an older snapshot step by step to the definition's `schemaVersion` and checks the
 * result against `stateSchema`. A migration that throws or produces a state the schema rejects
 * is logged and yields null: the loader then tries an older snapshot or replays in full.
 */
export function migrateSnapshot<TState>(def: AnyAggregateDefinition, snap: Snapshot, logger: Logger): MigratedBase<TState> | null {
  const context = { streamId: snap.streamId, snapshotVersion: snap.version, fromSchemaVersion: snap.schemaVersion, toSchemaVersion: def.schemaVersion };
  let state: unknown = snap.state;
  for (let v = snap.schemaVersion; v < def.schemaVersion; v++) {
    const step = def.migrateState?.[v];
    if (typeof step !== 'function') return null;
    try {
      state = step(state);
    } catch (err) {
      logger.warn({ ...context, step: v, error: (err as Error).message }, `state migration from schema version ${v} failed; not using this snapshot (older snapshot or full replay instead)`);
      return null;
    }
  }
  const parsed = (def.stateSchema as z.ZodType<TState>).safeParse(state);
  if (!parsed.success) {
    logger.warn({ ...context, problem: z.prettifyError(parsed.error) }, 'a migrated snapshot fails stateSchema; not using it (older snapshot or full replay instead)');
    return null;
  }
  logger.debug(context, 'starting from a migrated snapshot');
  return { ...snap, schemaVersion: def.schemaVersion, state: parsed.data, migratedFromSchemaVersion: snap.schemaVersion };
}

/** The newest snapshot in `candidates` (any order) that migrates, at or below `head` when known. */
function firstMigrating<TState>(def: AnyAggregateDefinition, candidates: Snapshot[], head: number | null, logger: Logger): MigratedBase<TState> | null {
  for (const snap of [...candidates].sort((a, b) => b.version - a.version)) {
    if (head !== null && snap.version > head) continue;
    const base = migrateSnapshot<TState>(def, snap, logger);
    if (base) return base;
  }
  return null;
}

/** Streams a repository remembers as having no migratable snapshot (see `createMigrationLookup`). */
const MAX_REMEMBERED = 10_000;

/**
 * For loads that found no usable snapshot of the current schema: the newest older-schema
 * snapshot that migrates. Costs a query per migratable schema version, and nothing for a
 * definition without `migrateState`. A stream found to have none (or none that migrates) is
 * remembered, bounded, so streams too short ever to be snapshotted do not pay that query on
 * every load; an old snapshot an older deployment writes later is then missed, which costs
 * replay time, never correctness.
 */
export function createMigrationLookup(def: AnyAggregateDefinition, snapshots: SnapshotRepository, logger: Logger) {
  const sources = migrationSources(def);
  const without = new Set<string>();
  return async function migratedBase<TState>(streamId: string, head: number | null): Promise<MigratedBase<TState> | null> {
    if (sources.length === 0 || without.has(streamId)) return null;
    const lists = await Promise.all(
      sources.map((schemaVersion) => snapshots.list(streamId, { schemaVersion, limit: CANDIDATES_PER_SCHEMA, ...(head !== null ? { maxVersion: head } : {}) })),
    );
    const base = firstMigrating<TState>(def, lists.flat(), head, logger);
    // None, or none that migrates (a failing migration fails again: log it once, not per load).
    if (base === null) {
      without.add(streamId);
      if (without.size > MAX_REMEMBERED) without.delete(without.values().next().value as string);
    }
    return base;
  };
}

/** `migratedBase` for many streams: one query per migratable schema version for all of them. */
export async function migratedBases<TState>(
  def: AnyAggregateDefinition,
  snapshots: SnapshotRepository,
  streamIds: string[],
  logger: Logger,
): Promise<Map<string, MigratedBase<TState>>> {
  const out = new Map<string, MigratedBase<TState>>();
  const sources = migrationSources(def);
  if (sources.length === 0 || streamIds.length === 0) return out;
  const lists = await Promise.all(sources.map((schemaVersion) => snapshots.listMany(streamIds, { schemaVersion, limitPerStream: CANDIDATES_PER_SCHEMA })));
  for (const sid of streamIds) {
    const base = firstMigrating<TState>(def, lists.flatMap((m) => m.get(sid) ?? []), null, logger);
    if (base) out.set(sid, base);
  }
  return out;
}
