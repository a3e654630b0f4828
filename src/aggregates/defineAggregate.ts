import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { AggregateDefinition, DomainEvent, EventSchemas, StateMigrations, Upcasters } from './types.js';
import { toValidationIssues } from './validation.js';

/** Event type name → zod schema of that event's `data`. */
export type EventSchemaMap = Record<string, z.ZodType>;

/** The discriminated union of events described by an event schema map. */
export type EventsOf<TSchemas extends EventSchemaMap> = {
  [K in keyof TSchemas & string]: DomainEvent<K, z.output<TSchemas[K]>>;
}[keyof TSchemas & string];

/** What `defineAggregate` takes; State, Command and Event are inferred from the schemas. */
export interface AggregateConfig<
  TStateSchema extends z.ZodType,
  TCommandSchema extends z.ZodType<{ type: string }>,
  TEventSchemas extends EventSchemaMap,
> {
  /** Stream type: the aggregate with id `7` lives in stream `<type>-7`. Matches /^[a-z][a-zA-Z0-9_]*$/. */
  type: string;
  /** Shape of the state; bump it when `evolve` or `stateSchema` changes so old snapshots are ignored. */
  schemaVersion: number;
  stateSchema: TStateSchema;
  /** Usually `z.discriminatedUnion('type', [...])`. */
  commandSchema: TCommandSchema;
  /** One schema per event type, keyed by the event's `type`. */
  eventSchemas: TEventSchemas;
  // NoInfer: the schemas alone fix the types; the callbacks are only checked against them.
  /** The state of a stream with no events. */
  initialState: () => NoInfer<z.output<TStateSchema>>;
  /** Must be pure and must not mutate `state`: loaders and tests may reuse it. */
  evolve: (
    state: NoInfer<z.output<TStateSchema>>,
    event: NoInfer<EventsOf<TEventSchemas>>,
  ) => NoInfer<z.output<TStateSchema>>;
  /** Returns the events (possibly none) or throws `CommandRejectedError`. */
  decide: (
    command: NoInfer<z.output<TCommandSchema>>,
    state: NoInfer<z.output<TStateSchema>>,
  ) => NoInfer<EventsOf<TEventSchemas>>[];
  /**
   * Per event type, `{ 1: (dataV1) => dataV2, 2: (dataV2) => dataV3 }`: the type's current
   * version is 1 + its number of steps, appends store it, and reads upcast older stored data
   * before validating it against `eventSchemas` (which describe the current version).
   */
  upcasters?: { [K in keyof TEventSchemas]?: Upcasters[string] };
  /**
   * `{ 1: (stateV1) => stateV2 }`: lets a load after a `schemaVersion` bump start from the newest
   * older snapshot (migrated, then checked against `stateSchema`) and replay only the events after it.
   */
  migrateState?: StateMigrations;
}

/** The definition `defineAggregate` returns for a given config. */
export type DefinedAggregate<
  TStateSchema extends z.ZodType,
  TCommandSchema extends z.ZodType<{ type: string }>,
  TEventSchemas extends EventSchemaMap,
> = AggregateDefinition<z.output<TStateSchema>, z.output<TCommandSchema>, EventsOf<TEventSchemas>>;

// Stream ids are "<type>-<id>" and the event store derives the type from the text before the
// first "-", so a type must not contain one; lower-case start keeps ids readable in Compass.
const STREAM_TYPE = /^[a-z][a-zA-Z0-9_]*$/;

function isZodSchema(value: unknown): value is z.ZodType {
  return typeof (value as { safeParse?: unknown } | null | undefined)?.safeParse === 'function';
}

function fail(message: string, path: (string | number)[], more: ValidationIssue[] = []): never {
  throw new ValidationError(message, [{ path, message }, ...more]);
}

/** Steps must be keyed 1..n (upcasters) or lie below `schemaVersion` (migrations), each a function. */
function checkEvolution(type: string, schemaVersion: number, eventTypes: string[], upcasters: unknown, migrateState: unknown): void {
  if (upcasters !== undefined) {
    if (typeof upcasters !== 'object' || upcasters === null) fail(`aggregate "${type}": upcasters must be an object { [eventType]: { [fromVersion]: fn } }`, ['upcasters']);
    for (const [eventType, steps] of Object.entries(upcasters)) {
      if (!eventTypes.includes(eventType)) fail(`aggregate "${type}": upcasters.${eventType} names no event type (known: ${eventTypes.join(', ')})`, ['upcasters', eventType]);
      if (typeof steps !== 'object' || steps === null) fail(`aggregate "${type}": upcasters.${eventType} must be an object { [fromVersion]: fn }`, ['upcasters', eventType]);
      const keys = Object.keys(steps);
      const expected = keys.map((_, i) => String(i + 1));
      if (keys.some((k, i) => k !== expected[i])) {
        fail(`aggregate "${type}": upcasters.${eventType} must have steps from versions 1..${keys.length} without gaps, got ${keys.join(', ')}`, ['upcasters', eventType]);
      }
      for (const [k, fn] of Object.entries(steps)) {
        if (typeof fn !== 'function') fail(`aggregate "${type}": upcasters.${eventType}.${k} must be a function`, ['upcasters', eventType, k]);
      }
    }
  }
  if (migrateState !== undefined) {
    if (typeof migrateState !== 'object' || migrateState === null) fail(`aggregate "${type}": migrateState must be an object { [fromSchemaVersion]: fn }`, ['migrateState']);
    for (const [k, fn] of Object.entries(migrateState)) {
      const from = Number(k);
      if (!Number.isSafeInteger(from) || from < 1 || from >= schemaVersion) {
        fail(`aggregate "${type}": migrateState.${k} must migrate from a schema version between 1 and ${schemaVersion - 1}`, ['migrateState', k]);
      }
      if (typeof fn !== 'function') fail(`aggregate "${type}": migrateState.${k} must be a function`, ['migrateState', k]);
    }
  }
}

/**
 * Builds an `AggregateDefinition` from zod schemas and the Decider functions, inferring
 * State from `stateSchema`, Command from `commandSchema` and Event as the union
 * `{ type: K; data: z.output<eventSchemas[K]> }` over the keys of `eventSchemas`.
 *
 * TypeScript widens literals returned from callbacks of a generic call, so when the state has
 * literal fields (e.g. `status: 'new' | 'active'`) give `initialState` and `evolve` a return
 * type: `evolve(state, event): z.output<typeof stateSchema> { … }`.
 *
 * Checks the definition itself at once, so a mistake surfaces at import time rather than at
 * the first load: a well-formed `type`, a positive integer `schemaVersion`, at least one event
 * schema, and an `initialState()` that passes `stateSchema`.
 * @throws ValidationError when the definition is malformed.
 */
export function defineAggregate<
  TStateSchema extends z.ZodType,
  TCommandSchema extends z.ZodType<{ type: string }>,
  TEventSchemas extends EventSchemaMap,
>(
  config: AggregateConfig<TStateSchema, TCommandSchema, TEventSchemas>,
): DefinedAggregate<TStateSchema, TCommandSchema, TEventSchemas> {
  const { type, schemaVersion, stateSchema, commandSchema, eventSchemas, initialState, evolve, decide, upcasters, migrateState } = config;

  if (typeof type !== 'string' || !STREAM_TYPE.test(type)) {
    const shown = JSON.stringify(type);
    fail(`aggregate type ${shown} must match ${String(STREAM_TYPE)} (it prefixes stream ids as "<type>-<id>")`, ['type']);
  }
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 1) {
    const shown = String(schemaVersion);
    fail(`aggregate "${type}": schemaVersion must be a positive integer, got ${shown}`, ['schemaVersion']);
  }
  if (!isZodSchema(stateSchema)) fail(`aggregate "${type}": stateSchema must be a zod schema`, ['stateSchema']);
  if (!isZodSchema(commandSchema)) fail(`aggregate "${type}": commandSchema must be a zod schema`, ['commandSchema']);
  if (typeof eventSchemas !== 'object' || eventSchemas === null || Object.keys(eventSchemas).length === 0) {
    fail(`aggregate "${type}": eventSchemas must name at least one event type`, ['eventSchemas']);
  }
  for (const [eventType, schema] of Object.entries(eventSchemas)) {
    if (eventType.trim() === '') {
      fail(`aggregate "${type}": event types must be non-empty`, ['eventSchemas', eventType]);
    }
    if (!isZodSchema(schema)) {
      fail(`aggregate "${type}": eventSchemas.${eventType} must be a zod schema`, ['eventSchemas', eventType]);
    }
  }
  for (const [name, fn] of Object.entries({ initialState, evolve, decide })) {
    if (typeof fn !== 'function') fail(`aggregate "${type}": ${name} must be a function`, [name]);
  }
  checkEvolution(type, schemaVersion, Object.keys(eventSchemas), upcasters, migrateState);
  // A stream with no events and no snapshot starts here, so a state the schema rejects would
  // make every snapshot of a young stream unusable.
  const initial = stateSchema.safeParse(initialState());
  if (!initial.success) {
    throw new ValidationError(
      `aggregate "${type}": initialState() does not match stateSchema: ${initial.error.issues.map((i) => `${['initialState', ...i.path.map(String)].join('.')}: ${i.message}`).join('; ')}`,
      toValidationIssues(initial.error.issues, ['initialState']),
      { cause: initial.error },
    );
  }

  return Object.freeze({
    type,
    schemaVersion,
    initialState,
    evolve,
    decide,
    commandSchema: commandSchema as unknown as z.ZodType<z.output<TCommandSchema>>,
    // Each value is a schema whose output is that event's data, which is exactly EventSchemas;
    // TypeScript cannot see through the mapped type over a generic key set.
    eventSchemas: eventSchemas as unknown as EventSchemas<EventsOf<TEventSchemas>>,
    stateSchema: stateSchema as z.ZodType<z.output<TStateSchema>>,
    ...(upcasters !== undefined ? { upcasters: upcasters as Upcasters } : {}),
    ...(migrateState !== undefined ? { migrateState } : {}),
  });
}
