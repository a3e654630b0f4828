import type { z } from 'zod';
import type { AppendResult, EventMetadata, RecordedEvent } from '../events/types.js';

/** A domain event as `decide` returns it and `evolve` receives it. */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
}

/** Maps each event type to the zod schema of its `data`. */
export type EventSchemas<TEvent extends DomainEvent> = {
  [K in TEvent['type']]: z.ZodType<Extract<TEvent, { type: K }>['data']>;
};

/**
 * Per event type, functions turning the stored `data` of schema version n (the key) into the
 * data of version n + 1. Keys run 1..n without gaps; the type's current version is n + 1.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Upcasters = Readonly<Record<string, Readonly<Record<number, (data: any) => unknown>>>>;

/**
 * Functions turning a snapshot's state of schema version n (the key) into a state of n + 1, so
 * a bumped `schemaVersion` can start from an older snapshot instead of a full replay.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StateMigrations = Readonly<Record<number, (state: any) => unknown>>;

/**
 * An aggregate as plain data and pure functions (the Decider pattern).
 * `type` is the stream type: the aggregate with id `7` lives in stream `<type>-7`.
 * `schemaVersion` names the shape of the state: bump it whenever `evolve` or the
 * state shape changes, and snapshots taken under another version are ignored.
 */
export interface AggregateDefinition<TState, TCommand, TEvent extends DomainEvent> {
  type: string;
  schemaVersion: number;
  initialState(): TState;
  evolve(state: TState, event: TEvent): TState;
  /** Returns the events a command produces (possibly none) or throws `CommandRejectedError`. */
  decide(command: TCommand, state: TState): TEvent[];
  commandSchema: z.ZodType<TCommand>;
  /**
   * Per event type, the schema of its `data`. `handle` stores and evolves the parsed output
   * (defaults and transforms applied), and every load parses the stored data again, so a
   * transform must give the same result when applied twice (`trim`, `toLowerCase` do).
   */
  eventSchemas: EventSchemas<TEvent>;
  stateSchema: z.ZodType<TState>;
  /** Event schema evolution: stored events are upcast to the current version on every read. */
  upcasters?: Upcasters;
  /** State schema evolution: older snapshots are migrated on load instead of ignored. */
  migrateState?: StateMigrations;
}

/** Any aggregate definition, for APIs that accept several kinds. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAggregateDefinition = AggregateDefinition<any, any, any>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StateOf<D> = D extends AggregateDefinition<infer S, any, any> ? S : never;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandOf<D> = D extends AggregateDefinition<any, infer C, any> ? C : never;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventOf<D> = D extends AggregateDefinition<any, any, infer E> ? E : never;

export interface LoadedAggregate<TState> {
  id: string;
  state: TState;
  version: number;
  /** Version of the snapshot the load started from, or null for a full replay. */
  snapshotVersion: number | null;
  eventsReplayed: number;
  /**
   * Set when the load started from a snapshot of an older state `schemaVersion` migrated with
   * `migrateState`: that schema version. The snapshot job then writes one of the current schema.
   */
  migratedFromSchemaVersion?: number;
  /** Global position of the commit that ends at `version`; null until numbered, or when the load did not read that commit. */
  position: number | null;
}

/**
 * The recorded form of each member of an event union, still discriminated on `type`:
 * `e.type === 'DoneCleared' ? e.data.todoIds : …` narrows `data` without a cast.
 */
export type RecordedEventOf<TEvent extends DomainEvent> = TEvent extends { type: infer T extends string; data: infer D } ? RecordedEvent<T, D> : never;

export interface HandleOptions {
  metadata?: EventMetadata;
  /**
   * The command's idempotency key (1-200 characters), e.g. an HTTP `Idempotency-Key`. The
   * commit's id is derived from (aggregate type, id, commandId), so a retry of a command whose
   * outcome is unknown (a lost reply, a timeout) returns the first result (version, events and
   * the state right after them) and writes nothing, even after the stream has moved on. The
   * command, its metadata and what `decide` would say now are not compared: the key alone names
   * the command. Without it, every `handle` call is a new command.
   */
  commandId?: string;
  /**
   * Handle only if the aggregate is at this version (an If-Match / ETag precondition): a
   * different version, or losing a race to another writer, is a `ConcurrencyError` and the
   * command is not decided again.
   */
  expectedVersion?: number;
}

export interface HandleResult<TState, TEvent extends DomainEvent> {
  version: number;
  /** The commit the events were written in (pass it to a projection's `waitFor`); null when the command produced none. */
  commitId: string | null;
  events: RecordedEventOf<TEvent>[];
  state: TState;
}

export interface AggregateAppendOptions {
  /** The aggregate's version the events were decided at (exact), or `'any'`. */
  expectedVersion: number | 'any';
  commitId?: string;
  metadata?: EventMetadata;
}

export interface AggregateAppendResult<TEvent extends DomainEvent> extends AppendResult {
  events: RecordedEventOf<TEvent>[];
}

// The repository is a class (injectable by class); its type stays importable from here too.
export type { AggregateRepository } from './aggregateRepository.js';
