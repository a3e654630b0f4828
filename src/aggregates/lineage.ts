import { z } from 'zod';
import { CorruptDocumentError } from '../errors.js';
import type { RecordedEvent } from '../events/types.js';
import type { Logger } from '../logger.js';
import type { Snapshot } from '../snapshots/types.js';
import { migrationOf } from './migrateState.js';
import { replayEvents } from './replay.js';
import type { AggregateDefinition, DomainEvent, LoadedAggregate } from './types.js';

/**
 * Events of one stream already read: every event with `from < version`, up to the head (or up
 * to the version a caller asked for, which is then a commit boundary), in version order.
 */
export interface EventWindow {
  from: number;
  events: RecordedEvent[];
}

/** Reads the events with `after < version <= to` of the stream, in version order. */
export type ReadRange = (after: number, to: number) => Promise<RecordedEvent[]>;

/** Where a load starts and what it replays. */
export interface ChosenBase<TState> {
  base: { version: number; state: TState } | null;
  /** The events after the base, contiguous, oldest first. */
  replay: RecordedEvent[];
  /** The commit that ends at the loaded version; null for an empty stream. */
  headCommitId: string | null;
}

/**
 * The one rule every loader (load, loadMany, a retried command's state) uses to choose the
 * snapshot to start from. A snapshot is only valid for the history it was built from, so a
 * candidate is used only when
 *
 * - its state passes `stateSchema`;
 * - the stream has an event at its version (a snapshot ahead of its stream, or one whose
 *   commits were rolled back or restored away, has none);
 * - that event's commit is the one the snapshot recorded (`commitId`): a stream that grew back
 *   past a rolled-back snapshot has other commits there. A snapshot without a recorded commit
 *   (saved by hand, or by Chronicle v1) must at least sit on a commit boundary.
 *
 * Other candidates are skipped with a log line, falling back to an older one or a full replay.
 * The window is extended downwards through `readRange` only when a candidate lies below it (or
 * none is usable), so a load whose window already holds its snapshot's commit — the hot path,
 * where that commit is fetched with the tail — costs no extra read.
 *
 * @throws CorruptDocumentError when the events to replay are not contiguous (a hole in the stream).
 */
export async function chooseBase<TState>(
  streamId: string,
  stateSchema: z.ZodType<TState>,
  candidates: readonly Snapshot[],
  initial: EventWindow,
  readRange: ReadRange,
  logger: Logger,
): Promise<ChosenBase<TState>> {
  const window: EventWindow = { from: initial.from, events: initial.events };
  const extendTo = async (from: number) => {
    if (from >= window.from) return;
    window.events = [...(await readRange(from, window.from)), ...window.events];
    window.from = from;
  };
  let base: { version: number; state: TState; commitId: string } | null = null;
  for (const snap of [...candidates].sort((a, b) => b.version - a.version)) {
    const skip = (problem: string, extra: object = {}) => logger.warn({ streamId, snapshotVersion: snap.version, ...extra }, `ignoring a snapshot ${problem}`);
    const parsed = stateSchema.safeParse(snap.state);
    if (!parsed.success) {
      skip('whose state fails stateSchema', { problem: z.prettifyError(parsed.error) });
      continue;
    }
    if (snap.version === 0) {
      // Before the first commit: no history to belong to.
      base = { version: 0, state: parsed.data, commitId: '' };
      break;
    }
    await extendTo(snap.version - 1);
    const at = window.events.findIndex((e) => e.version === snap.version);
    const event = window.events[at];
    if (!event) {
      skip('ahead of its stream, or whose commits are gone (rolled back or restored from an older dump)', { head: window.events.at(-1)?.version ?? null });
      continue;
    }
    if (snap.commitId !== undefined && snap.commitId !== event.commitId) {
      skip('built from another history: the commit at its version is not the one it recorded (rolled back or restored)', { recorded: snap.commitId, found: event.commitId });
      continue;
    }
    if (snap.commitId === undefined && window.events[at + 1]?.commitId === event.commitId) {
      skip('inside a commit, not at a commit boundary');
      continue;
    }
    base = { version: snap.version, state: parsed.data, commitId: event.commitId };
    break;
  }
  if (!base) await extendTo(0);
  const from = base?.version ?? 0;
  const replay = window.events.filter((e) => e.version > from);
  replay.forEach((e, i) => {
    if (e.version !== from + i + 1) {
      throw new CorruptDocumentError('events', e.commitId, `stream "${streamId}" has a hole: version ${from + i + 1} is missing before version ${e.version}`);
    }
  });
  return { base: base && { version: base.version, state: base.state }, replay, headCommitId: replay.at(-1)?.commitId ?? (base?.commitId || null) };
}

const headCommits = new WeakMap<object, string>();

/** Remembers the commit that ends at a loaded aggregate's version (for the snapshot job). */
export function rememberHeadCommit<T>(loaded: LoadedAggregate<T>, commitId: string | null): LoadedAggregate<T> {
  if (commitId !== null) headCommits.set(loaded, commitId);
  return loaded;
}

/**
 * The commit that ends at `loaded.version`, as its loader found it; recorded in snapshots so
 * that later loads can tell whether the snapshot still belongs to the stream's history.
 */
export function headCommitOf(loaded: LoadedAggregate<unknown>): string | undefined {
  return headCommits.get(loaded);
}

/**
 * The aggregate a load built from `chosen` (load and loadMany alike): the state replayed from the
 * base, the version and position of the commit it ends at (`read` holds the events the load
 * fetched), whether the base was a migrated older snapshot, and that commit remembered for the
 * snapshot job.
 */
export function loadedFrom<TState, TCommand, TEvent extends DomainEvent>(
  definition: AggregateDefinition<TState, TCommand, TEvent>,
  id: string,
  chosen: ChosenBase<TState>,
  read: readonly RecordedEvent[],
  migrated: object | null,
): LoadedAggregate<TState> {
  const state = replayEvents(definition, chosen.base ? chosen.base.state : definition.initialState(), chosen.replay);
  const version = chosen.replay.at(-1)?.version ?? chosen.base?.version ?? 0;
  const last = chosen.replay.at(-1) ?? read.find((e) => e.version === version);
  return rememberHeadCommit(
    {
      id,
      state,
      version,
      position: last?.version === version ? last.position : null,
      snapshotVersion: chosen.base?.version ?? null,
      eventsReplayed: chosen.replay.length,
      ...(chosen.base ? migrationOf(migrated) : {}),
    },
    chosen.headCommitId,
  );
}
