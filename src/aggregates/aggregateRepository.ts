import { z } from 'zod';
import { ConcurrencyError, ValidationError } from '../errors.js';
import type { EventStoreInternals } from '../events/eventRepository.js';
import { silentLogger, type Logger } from '../logger.js';
import type { SnapshotRepository } from '../snapshots/types.js';
import { parseInput } from '../validation.js';
import type { AggregateDefinition, AggregateRepository, DomainEvent, HandleResult, LoadedAggregate } from './types.js';
import { loadMany } from './loadMany.js';
import { pickSnapshot, replayEvents } from './replay.js';
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

const aggregateIdSchema = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'must be at most 200 characters' });

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

  async function load(id: string): Promise<LoadedAggregate<TState>> {
    const sid = streamId(id);
    // Both reads at once: with a short tail, a load costs one round-trip latency.
    const hint = baseHints.get(sid);
    const [candidates, tail] = await Promise.all([
      snapshots.list(sid, { schemaVersion: definition.schemaVersion, limit: 3 }),
      hint === undefined ? events.readTail(sid, tailCommits) : events.read(sid, { afterVersion: hint }).then((list) => ({ events: list, fromVersion: hint })),
    ]);
    // Versions are never removed, so a stream read after `hint` is at least at `hint`.
    const head = tail.events.at(-1)?.version ?? tail.fromVersion;
    const base = pickSnapshot(definition.stateSchema, candidates, head, logger);
    const from = base?.version ?? 0;
    let replay = tail.events.filter((e) => e.version > from);
    if (tail.fromVersion > from) {
      // The tail fetched with the snapshot does not reach back far enough: fetch the gap.
      const gap = await events.read(sid, { afterVersion: from, toVersion: tail.fromVersion });
      replay = [...gap, ...replay];
    }
    const state = replayEvents(definition, base ? base.state : definition.initialState(), replay);
    rememberBase(sid, base?.version ?? null);
    const version = replay.at(-1)?.version ?? from;
    const last = tail.events.at(-1);
    return { id, state, version, snapshotVersion: base?.version ?? null, eventsReplayed: replay.length, position: last?.version === version ? last.position : null };
  }

  return {
    definition,
    streamId,
    load,
    loadMany: (ids) => loadMany(definition, events, snapshots, logger, ids, streamId),
    async handle(id, command, handleOpts = {}): Promise<HandleResult<TState, TEvent>> {
      const cmd = validateCommand(definition, command) as TCommand;
      const sid = streamId(id);
      for (let attempt = 1; ; attempt++) {
        const loaded = await load(id);
        const decided = definition.decide(cmd, loaded.state);
        if (decided.length === 0) return { version: loaded.version, commitId: null, events: [], state: loaded.state };
        for (const e of decided) {
          try {
            validateEvent(definition, e);
          } catch (err) {
            throw new ValidationError(`decide produced an invalid event for "${sid}": ${(err as Error).message}`, (err as ValidationError).issues ?? [], { cause: err });
          }
        }
        try {
          const res = await events.appendAtKnownVersion(sid, decided, {
            expectedVersion: loaded.version,
            streamType: definition.type,
            ...(handleOpts.metadata ? { metadata: handleOpts.metadata } : {}),
          });
          const recorded = decided.map((e, i) => ({
            streamId: sid,
            version: loaded.version + i + 1,
            type: e.type,
            schemaVersion: 1,
            data: e.data,
            commitId: res.commitId,
            recordedAt: res.recordedAt,
            metadata: handleOpts.metadata ?? null,
            position: null,
          })) as HandleResult<TState, TEvent>['events'];
          const state = decided.reduce((s, e) => definition.evolve(s, e), loaded.state);
          return { version: res.version, commitId: res.commitId, events: recorded, state };
        } catch (err) {
          if (!(err instanceof ConcurrencyError) || attempt >= maxAttempts) throw err;
          logger.debug({ streamId: sid, attempt }, 'lost a race; loading and deciding again');
        }
      }
    },
  };
}
