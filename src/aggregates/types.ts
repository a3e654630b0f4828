import type { z } from 'zod';
import type { EventMetadata, RecordedEvent } from '../events/types.js';

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
  eventSchemas: EventSchemas<TEvent>;
  stateSchema: z.ZodType<TState>;
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
  /** Global position of the commit that ends at `version`; null until numbered, or when the load did not read that commit. */
  position: number | null;
}

export interface HandleOptions {
  metadata?: EventMetadata;
}

export interface HandleResult<TState, TEvent extends DomainEvent> {
  version: number;
  /** The commit the events were written in (pass it to a projection's `waitFor`); null when the command produced none. */
  commitId: string | null;
  events: RecordedEvent<TEvent['type'], TEvent['data']>[];
  state: TState;
}

/** Loads aggregates and handles commands for one definition; see `Chronicle.aggregate`. */
export interface AggregateRepository<TState, TCommand, TEvent extends DomainEvent> {
  readonly definition: AggregateDefinition<TState, TCommand, TEvent>;
  streamId(id: string): string;
  load(id: string): Promise<LoadedAggregate<TState>>;
  /**
   * Loads many aggregates in two queries (snapshots, then the events after them), for batch
   * work such as the snapshot job. Each id maps to its aggregate or to the error it hit.
   */
  loadMany(ids: string[]): Promise<Map<string, LoadedAggregate<TState> | Error>>;
  handle(id: string, command: TCommand, opts?: HandleOptions): Promise<HandleResult<TState, TEvent>>;
}
