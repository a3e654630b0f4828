import { z } from 'zod';
import { CommandRejectedError, ConcurrencyError, StorageError, ValidationError } from '../errors.js';
import type { RecordedEvent } from '../events/types.js';
import { commandCommitId } from './commandCommitId.js';
import type { EventStoreInternals } from '../events/eventRepository.js';
import { silentLogger, type Logger } from '../logger.js';
import type { SnapshotRepository } from '../snapshots/types.js';
import { parseInput, versionSchema } from '../validation.js';
import { appendToAggregate, readAggregateEvents } from './aggregateEvents.js';
import type { AggregateDefinition, AggregateRepository, DomainEvent, HandleResult, LoadedAggregate } from './types.js';
import { loadMany } from './loadMany.js';
import { chooseBase, rememberHeadCommit } from './lineage.js';
import { createMigrationLookup, migrationOf } from './migrateState.js';
import { replayEvents } from './replay.js';
import { currentEventVersion, withCurrentVersions } from './upcast.js';
import { validateCommand, validateEvent } from './validation.js';

export interface AggregateRepositoryOptions {
  logger?: Logger;
  /** How many times `handle` decides again after losing a race (default 10). */
  maxAttempts?: number;
  /**
   * Commits fetched alongside the snapshot in a load's first round trip (default 64).
   * A tail longer than this costs one more round trip.
   */
  tailCommits?: number;
}

/** Streams whose snapshot version a repository remembers between loads (see `baseHints`). */
const MAX_BASE_HINTS = 10_000;

const commandIdSchema = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'must be at most 200 characters' });

const aggregateIdSchema = z
  .string({ error: 'must be a string' })
  .max(200, { error: 'must be at most 200 characters' })
  // " " would name a stream "todos- " that no person can tell from "todos-".
  .refine((s) => s.trim() !== '', { error: 'must not be empty or blank' });

/**
 * Loads aggregates from their latest valid snapshot plus the events after it, and handles
 * commands: validate, load, decide, append at the loaded version, retry on a lost race.
 */
export function createAggregateRepository<TState, TCommand, TEvent extends DomainEvent>(
  definition: AggregateDefinition<TState, TCommand, TEvent>,
  events: EventStoreInternals,
  snapshots: SnapshotRepository,
  opts: AggregateRepositoryOptions = {},
): AggregateRepository<TState, TCommand, TEvent> {
  const logger = opts.logger ?? silentLogger;
  const maxAttempts = opts.maxAttempts ?? 10;
  const tailCommits = opts.tailCommits ?? 64;
  const streamId = (id: string) => `${definition.type}-${parseInput(aggregateIdSchema, id, 'aggregate id')}`;
  // Per stream, the version of the snapshot its previous load started from (most recently used
  // last). Only a hint: the next load then reads the events after it alongside the snapshots,
  // instead of the newest `tailCommits` commits, so a load from a fresh snapshot fetches no
  // old events however large the commits are. A stale hint costs at most the gap read below.
  const baseHints = new Map<string, number>();
  const rememberBase = (sid: string, version: number | null) => {
    baseHints.delete(sid);
    if (version === null) return;
    baseHints.set(sid, version);
    if (baseHints.size > MAX_BASE_HINTS) baseHints.delete(baseHints.keys().next().value as string);
  };

  // After a schemaVersion bump: a start from a migrated older snapshot when there is no current one.
  const migratedBase = createMigrationLookup(definition, snapshots, logger);

  async function load(id: string): Promise<LoadedAggregate<TState>> {
    const sid = streamId(id);
    // Both reads at once: with a short tail, a load costs one round-trip latency. After a hint,
    // the read starts with the commit that ends at the hinted snapshot, so its lineage is
    // checked with no extra read.
    const hint = baseHints.get(sid);
    const [candidates, window] = await Promise.all([
      snapshots.list(sid, { schemaVersion: definition.schemaVersion, limit: 3 }),
      hint === undefined || hint < 1
        ? events.readTail(sid, tailCommits)
        : events.read(sid, { afterVersion: hint - 1 }).then((list) => ({ events: list, fromVersion: hint - 1 })),
    ]);
    // After a schemaVersion bump, before the job has written a snapshot of the new schema: a
    // migrated older snapshot is the candidate, checked by the same lineage rule.
    const head = window.events.at(-1)?.version ?? window.fromVersion;
    const migrated = candidates.length === 0 ? await migratedBase<TState>(sid, head) : null;
    const chosen = await chooseBase(sid, definition.stateSchema, migrated ? [migrated] : candidates, { from: window.fromVersion, events: window.events }, readRange(sid), logger);
    const state = replayEvents(definition, chosen.base ? chosen.base.state : definition.initialState(), chosen.replay);
    rememberBase(sid, chosen.base?.version ?? null);
    const from = chosen.base?.version ?? 0;
    const version = chosen.replay.at(-1)?.version ?? from;
    const last = chosen.replay.at(-1) ?? window.events.find((e) => e.version === version);
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

  const readRange = (sid: string) => (after: number, to: number) => events.read(sid, { afterVersion: after, toVersion: to });

  /** The state right after `version`: a retried command's result when the stream has moved on. */
  async function stateAt(sid: string, version: number): Promise<TState> {
    const candidates = await snapshots.list(sid, { schemaVersion: definition.schemaVersion, maxVersion: version, limit: 3 });
    // An empty window ending at `version` (a commit boundary): chooseBase reads what it needs.
    const chosen = await chooseBase(sid, definition.stateSchema, candidates, { from: version, events: [] }, readRange(sid), logger);
    return replayEvents(definition, chosen.base ? chosen.base.state : definition.initialState(), chosen.replay);
  }

  /** What `handle` returned when `commit` was written: its events and the state right after it. */
  async function resultOfCommit(
    sid: string,
    commit: { streamId: string; version: number; events: RecordedEvent[] },
    loaded?: LoadedAggregate<TState>,
  ): Promise<HandleResult<TState, TEvent>> {
    if (commit.streamId !== sid) {
      throw new ValidationError(`the commit of this commandId belongs to stream "${commit.streamId}", not "${sid}"`, [{ path: ['commandId'], message: 'belongs to another stream' }]);
    }
    logger.debug({ streamId: sid, commitId: commit.events[0]?.commitId, version: commit.version }, 'command retried: returning its first result');
    const state = loaded && loaded.version === commit.version ? loaded.state : await stateAt(sid, commit.version);
    return { version: commit.version, commitId: commit.events[0]?.commitId ?? null, events: commit.events as HandleResult<TState, TEvent>['events'], state };
  }

  return {
    definition,
    streamId,
    load,
    loadMany: (ids) => loadMany(definition, events, snapshots, logger, ids, streamId),
    async handle(id, command, handleOpts = {}): Promise<HandleResult<TState, TEvent>> {
      const cmd = validateCommand(definition, command) as TCommand;
      const sid = streamId(id);
      const commandId = handleOpts.commandId === undefined ? undefined : parseInput(commandIdSchema, handleOpts.commandId, 'commandId');
      const commitId = commandId === undefined ? undefined : commandCommitId(definition.type, id, commandId);
      const firstResult = async (): Promise<HandleResult<TState, TEvent> | null> => {
        const commit = commitId === undefined ? null : await events.readCommit(commitId);
        return commit ? resultOfCommit(sid, commit) : null;
      };
      const expected = handleOpts.expectedVersion === undefined ? undefined : parseInput(versionSchema, handleOpts.expectedVersion, 'expectedVersion');
      for (let attempt = 1; ; attempt++) {
        // With a commandId, look for the commit of an earlier attempt alongside the load: found,
        // it is the answer, whatever deciding again would say now.
        const [loaded, prior] = await Promise.all([load(id), commitId === undefined ? null : events.readCommit(commitId)]);
        if (prior) return resultOfCommit(sid, prior, loaded);
        // A caller's precondition (If-Match): deciding on any other version would ignore it.
        if (expected !== undefined && loaded.version !== expected) throw new ConcurrencyError(sid, expected, loaded.version);
        let decided: TEvent[];
        try {
          // Stored, evolved and returned as its schema parses it, exactly as every later load
          // will see it: otherwise handle's state and the next load's could differ.
          decided = definition.decide(cmd, loaded.state).map((e) => {
            try {
              return { type: e.type, data: validateEvent(definition, e) } as TEvent;
            } catch (err) {
              throw new ValidationError(`decide produced an invalid event for "${sid}": ${(err as Error).message}`, (err as ValidationError).issues ?? [], { cause: err });
            }
          });
        } catch (err) {
          // The first attempt may have landed between the lookup and the load, which then saw
          // its effect: a rejection ("exists already") would be this command's own echo.
          if (err instanceof CommandRejectedError) {
            const first = await firstResult();
            if (first) return first;
          }
          throw err;
        }
        if (decided.length === 0) return (await firstResult()) ?? { version: loaded.version, commitId: null, events: [], state: loaded.state };
        try {
          const res = await events.appendAtKnownVersion(sid, withCurrentVersions(definition, decided), {
            expectedVersion: loaded.version,
            streamType: definition.type,
            ...(handleOpts.metadata ? { metadata: handleOpts.metadata } : {}),
            ...(commitId === undefined ? {} : { commitId, acceptExisting: true }),
          });
          if (res.existing) {
            const first = await firstResult();
            if (!first) throw new StorageError(`commit "${res.commitId}" of "${sid}" was reported to exist but cannot be read`);
            return first;
          }
          const recorded = decided.map((e, i) => ({
            streamId: sid,
            version: loaded.version + i + 1,
            type: e.type,
            schemaVersion: currentEventVersion(definition, e.type),
            data: e.data,
            commitId: res.commitId,
            recordedAt: res.recordedAt,
            metadata: handleOpts.metadata ?? null,
            position: null,
          })) as HandleResult<TState, TEvent>['events'];
          const state = decided.reduce((s, e) => definition.evolve(s, e), loaded.state);
          return { version: res.version, commitId: res.commitId, events: recorded, state };
        } catch (err) {
          if (!(err instanceof ConcurrencyError) || attempt >= maxAttempts || expected !== undefined) throw err;
          logger.debug({ streamId: sid, attempt }, 'lost a race; loading and deciding again');
        }
      }
    },
    append: (id, list, appendOpts) => appendToAggregate(definition, events, streamId(id), list, appendOpts),
    readEvents: (id, readOpts) => readAggregateEvents(definition, events, streamId(id), readOpts),
  };
}
