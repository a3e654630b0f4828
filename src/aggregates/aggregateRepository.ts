import { z } from 'zod';
import { CommandRejectedError, ConcurrencyError, StorageError, ValidationError } from '../errors.js';
import type { ReadOptions, RecordedEvent } from '../events/types.js';
import { commandCommitId } from './commandCommitId.js';
import { eventStoreInternals, type EventRepository, type EventStoreInternals } from '../events/eventRepository.js';
import { silentLogger, type Logger } from '../logger.js';
import type { SnapshotRepository } from '../snapshots/snapshotRepository.js';
import { parseInput, versionSchema } from '../validation.js';
import { appendToAggregate, readAggregateEvents } from './aggregateEvents.js';
import type { AggregateAppendOptions, AggregateAppendResult, AggregateDefinition, DomainEvent, HandleOptions, HandleResult, LoadedAggregate, RecordedEventOf } from './types.js';
import { loadMany } from './loadMany.js';
import { chooseBase, loadedFrom } from './lineage.js';
import { createMigrationLookup } from './migrateState.js';
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

/** A count option (`maxAttempts`, `tailCommits`): 0, negative or fractional would make no sense. */
const countSchema = z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(10_000, { error: 'must be at most 10000' });

const aggregateIdSchema = z
  .string({ error: 'must be a string' })
  .max(200, { error: 'must be at most 200 characters' })
  // " " would name a stream "todos- " that no person can tell from "todos-".
  .refine((s) => s.trim() !== '', { error: 'must not be empty or blank' });

/**
 * Loads aggregates of one definition from their latest valid snapshot plus the events after it,
 * and handles commands: validate, load, decide, append at the loaded version, retry on a lost
 * race. `new AggregateRepository(definition, events, snapshots, options)` over the two
 * repositories of one database, or `chronicle.aggregate(definition)`. Its methods use `this`:
 * bind one before passing it around on its own.
 */
export class AggregateRepository<TState, TCommand, TEvent extends DomainEvent> {
  readonly definition: AggregateDefinition<TState, TCommand, TEvent>;
  readonly #events: EventRepository;
  readonly #store: EventStoreInternals;
  readonly #snapshots: SnapshotRepository;
  readonly #logger: Logger;
  readonly #maxAttempts: number;
  readonly #tailCommits: number;
  // Per stream, the version of the snapshot its previous load started from (most recently used
  // last). Only a hint: the next load then reads the events after it alongside the snapshots,
  // instead of the newest `tailCommits` commits, so a load from a fresh snapshot fetches no
  // old events however large the commits are. A stale hint costs at most the gap read below.
  readonly #baseHints = new Map<string, number>();
  // After a schemaVersion bump: a start from a migrated older snapshot when there is no current one.
  readonly #migratedBase: ReturnType<typeof createMigrationLookup>;

  constructor(definition: AggregateDefinition<TState, TCommand, TEvent>, events: EventRepository, snapshots: SnapshotRepository, opts: AggregateRepositoryOptions = {}) {
    this.definition = definition;
    this.#events = events;
    this.#store = eventStoreInternals(events);
    this.#snapshots = snapshots;
    this.#logger = opts.logger ?? silentLogger;
    this.#maxAttempts = opts.maxAttempts === undefined ? 10 : parseInput(countSchema, opts.maxAttempts, 'maxAttempts');
    this.#tailCommits = opts.tailCommits === undefined ? 64 : parseInput(countSchema, opts.tailCommits, 'tailCommits');
    this.#migratedBase = createMigrationLookup(definition, snapshots, this.#logger);
  }

  /** The stream of aggregate `id`: `<type>-<id>`. */
  streamId(id: string): string {
    return `${this.definition.type}-${parseInput(aggregateIdSchema, id, 'aggregate id')}`;
  }

  /** The aggregate's current state and version, from its latest valid snapshot plus the events after it. */
  async load(id: string): Promise<LoadedAggregate<TState>> {
    const definition = this.definition;
    const sid = this.streamId(id);
    // Both reads at once: with a short tail, a load costs one round-trip latency. After a hint,
    // the read starts with the commit that ends at the hinted snapshot, so its lineage is
    // checked with no extra read.
    const hint = this.#baseHints.get(sid);
    const [candidates, window] = await Promise.all([
      this.#snapshots.list(sid, { schemaVersion: definition.schemaVersion, limit: 3 }),
      hint === undefined || hint < 1
        ? this.#store.readTail(sid, this.#tailCommits)
        : this.#events.read(sid, { afterVersion: hint - 1 }).then((list) => ({ events: list, fromVersion: hint - 1 })),
    ]);
    // After a schemaVersion bump, before the job has written a snapshot of the new schema: a
    // migrated older snapshot is the candidate, checked by the same lineage rule.
    const head = window.events.at(-1)?.version ?? window.fromVersion;
    const migrated = candidates.length === 0 ? await this.#migratedBase<TState>(sid, head) : null;
    const chosen = await chooseBase(sid, definition.stateSchema, migrated ? [migrated] : candidates, { from: window.fromVersion, events: window.events }, this.#readRange(sid), this.#logger);
    const loaded = loadedFrom(definition, id, chosen, window.events, migrated);
    this.#rememberBase(sid, chosen.base?.version ?? null);
    return loaded;
  }

  /**
   * Loads many aggregates in two queries (snapshots, then the events after them), for batch
   * work such as the snapshot job. Each id maps to its aggregate or to the error it hit.
   */
  loadMany(ids: string[]): Promise<Map<string, LoadedAggregate<TState> | Error>> {
    return loadMany(this.definition, this.#store, this.#snapshots, this.#logger, ids, (id) => this.streamId(id));
  }

  /**
   * Validates `command`, loads the aggregate, decides and appends the events at the loaded
   * version, deciding again after a lost race; see `HandleOptions` for idempotency and preconditions.
   */
  async handle(id: string, command: TCommand, opts: HandleOptions = {}): Promise<HandleResult<TState, TEvent>> {
    const definition = this.definition;
    const events = this.#store;
    const cmd = validateCommand(definition, command) as TCommand;
    const sid = this.streamId(id);
    const commandId = opts.commandId === undefined ? undefined : parseInput(commandIdSchema, opts.commandId, 'commandId');
    const commitId = commandId === undefined ? undefined : commandCommitId(definition.type, id, commandId);
    const firstResult = async (): Promise<HandleResult<TState, TEvent> | null> => {
      const commit = commitId === undefined ? null : await events.readCommit(commitId);
      return commit ? this.#resultOfCommit(sid, commit) : null;
    };
    const expected = opts.expectedVersion === undefined ? undefined : parseInput(versionSchema, opts.expectedVersion, 'expectedVersion');
    for (let attempt = 1; ; attempt++) {
      // With a commandId, look for the commit of an earlier attempt alongside the load: found,
      // it is the answer, whatever deciding again would say now.
      const [loaded, prior] = await Promise.all([this.load(id), commitId === undefined ? null : events.readCommit(commitId)]);
      if (prior) return this.#resultOfCommit(sid, prior, loaded);
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
          ...(opts.metadata ? { metadata: opts.metadata } : {}),
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
          metadata: opts.metadata ?? null,
          position: null,
        })) as HandleResult<TState, TEvent>['events'];
        const state = decided.reduce((s, e) => definition.evolve(s, e), loaded.state);
        return { version: res.version, commitId: res.commitId, events: recorded, state };
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= this.#maxAttempts || expected !== undefined) throw err;
        this.#logger.debug({ streamId: sid, attempt }, 'lost a race; loading and deciding again');
      }
    }
  }

  /**
   * Appends events decided outside `handle` (an import, a saga, a compensating event), each
   * checked against the definition's `eventSchemas` first: an unknown type or a bad payload is
   * a `ValidationError` and nothing is written. Unlike `events.append`, this path cannot store
   * an event the aggregate could not load. An exact `expectedVersion` costs one boundary read
   * (as with `events.append`), and returning the recorded events one more read.
   */
  append(id: string, events: TEvent[], opts: AggregateAppendOptions): Promise<AggregateAppendResult<TEvent>> {
    return appendToAggregate(this.definition, this.#events, this.streamId(id), events, opts);
  }

  /** The aggregate's recorded events, validated and typed as the definition's event union. */
  readEvents(id: string, opts?: ReadOptions): Promise<RecordedEventOf<TEvent>[]> {
    return readAggregateEvents(this.definition, this.#events, this.streamId(id), opts);
  }

  #rememberBase(sid: string, version: number | null): void {
    this.#baseHints.delete(sid);
    if (version === null) return;
    this.#baseHints.set(sid, version);
    if (this.#baseHints.size > MAX_BASE_HINTS) this.#baseHints.delete(this.#baseHints.keys().next().value as string);
  }

  #readRange(sid: string) {
    return (after: number, to: number) => this.#events.read(sid, { afterVersion: after, toVersion: to });
  }

  /** The state right after `version`: a retried command's result when the stream has moved on. */
  async #stateAt(sid: string, version: number): Promise<TState> {
    const definition = this.definition;
    const candidates = await this.#snapshots.list(sid, { schemaVersion: definition.schemaVersion, maxVersion: version, limit: 3 });
    // An empty window ending at `version` (a commit boundary): chooseBase reads what it needs.
    const chosen = await chooseBase(sid, definition.stateSchema, candidates, { from: version, events: [] }, this.#readRange(sid), this.#logger);
    return replayEvents(definition, chosen.base ? chosen.base.state : definition.initialState(), chosen.replay);
  }

  /** What `handle` returned when `commit` was written: its events and the state right after it. */
  async #resultOfCommit(
    sid: string,
    commit: { streamId: string; version: number; events: RecordedEvent[] },
    loaded?: LoadedAggregate<TState>,
  ): Promise<HandleResult<TState, TEvent>> {
    if (commit.streamId !== sid) {
      throw new ValidationError(`the commit of this commandId belongs to stream "${commit.streamId}", not "${sid}"`, [{ path: ['commandId'], message: 'belongs to another stream' }]);
    }
    this.#logger.debug({ streamId: sid, commitId: commit.events[0]?.commitId, version: commit.version }, 'command retried: returning its first result');
    const state = loaded && loaded.version === commit.version ? loaded.state : await this.#stateAt(sid, commit.version);
    return { version: commit.version, commitId: commit.events[0]?.commitId ?? null, events: commit.events as HandleResult<TState, TEvent>['events'], state };
  }
}

/** `new AggregateRepository(definition, events, snapshots, opts)`, kept for code written before the class existed. */
export function createAggregateRepository<TState, TCommand, TEvent extends DomainEvent>(
  definition: AggregateDefinition<TState, TCommand, TEvent>,
  events: EventRepository,
  snapshots: SnapshotRepository,
  opts: AggregateRepositoryOptions = {},
): AggregateRepository<TState, TCommand, TEvent> {
  return new AggregateRepository(definition, events, snapshots, opts);
}
