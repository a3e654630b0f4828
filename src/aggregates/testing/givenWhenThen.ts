import { AssertionError, deepStrictEqual } from 'node:assert';
import { inspect } from 'node:util';
import { ChronicleError, CommandRejectedError, ValidationError } from '../../errors.js';
import type { AggregateDefinition, DomainEvent } from '../types.js';
import { validateCommand, validateEvent, validateState } from '../validation.js';

/** An expected state, or a check of it that returns `false` or throws when the state is wrong. */
export type StateExpectation<S> = S | ((state: S) => boolean | void);

/** The result of a command that produced events (possibly none), for further checks. */
export interface Decided<S, E extends DomainEvent> {
  /** The events `decide` returned, as it returned them. */
  readonly events: readonly E[];
  /** The state after applying `events` to the given state. */
  readonly state: S;
  /** Also checks the state after the events; see `thenState`. */
  andState(expected: StateExpectation<S>): Decided<S, E>;
}

/** A command applied to a history; finish it with one of the `then…` checks. */
export interface When<S, E extends DomainEvent> {
  /** Passes when `decide` returned exactly these events, in this order. */
  then(expected: readonly E[]): Decided<S, E>;
  /** Passes when the command was accepted and produced no event. */
  thenNothing(): Decided<S, E>;
  /** Passes when the state after the produced events equals `expected`, or satisfies it. */
  thenState(expected: StateExpectation<S>): Decided<S, E>;
  /** Passes when `decide` threw `CommandRejectedError` whose reason contains or matches `reason`. */
  thenRejected(reason?: string | RegExp): CommandRejectedError;
  /** Passes when the command failed `commandSchema`, with a message containing or matching `message`. */
  thenInvalid(message?: string | RegExp): ValidationError;
}

/** A history of events for one aggregate. */
export interface Given<S, C, E extends DomainEvent> {
  /** The state the given events lead to. */
  readonly state: S;
  /** Validates `command` with `commandSchema` and runs `decide`, as the repository would. */
  when(command: C): When<S, E>;
  /** Like `when`, for a command TypeScript would reject (to test validation). */
  whenUntyped(command: unknown): When<S, E>;
}

type Outcome<E> =
  | { kind: 'events'; events: E[] }
  | { kind: 'invalid'; error: ValidationError }
  | { kind: 'rejected'; error: CommandRejectedError }
  | { kind: 'threw'; error: unknown };

const show = (value: unknown): string => inspect(value, { depth: null, breakLength: 100 });

function fail(message: string, details: { actual?: unknown; expected?: unknown; cause?: unknown } = {}): never {
  const { actual, expected } = details;
  const error = new AssertionError({ message, actual, expected, operator: 'given/when/then' });
  if (details.cause !== undefined) error.cause = details.cause;
  throw error;
}

function assertDeepEqual(actual: unknown, expected: unknown, heading: string): void {
  try {
    deepStrictEqual(actual, expected);
  } catch (error) {
    if (!(error instanceof AssertionError)) throw error;
    // Keep node's diff in the message so any runner shows it, not only those reading actual/expected;
    // not operator 'deepStrictEqual', for which newer Node versions append a second diff.
    const message = `${heading}\n${error.message}`;
    throw new AssertionError({ message, actual, expected, operator: 'given/when/then' });
  }
}

function describeOutcome(outcome: Outcome<DomainEvent>): string {
  switch (outcome.kind) {
    case 'events':
      return outcome.events.length === 0 ? 'it produced no event' : `it produced ${show(outcome.events)}`;
    case 'invalid':
      return `the command failed validation: ${outcome.error.message}`;
    case 'rejected':
      return `it was rejected: ${outcome.error.reason}`;
    case 'threw': {
      const { error } = outcome;
      return `decide threw ${error instanceof Error ? `${error.name}: ${error.message}` : show(error)}`;
    }
  }
}

function matches(text: string, pattern: string | RegExp | undefined): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
}

function checkState<S>(state: S, expected: StateExpectation<S>, heading: string): void {
  if (typeof expected === 'function') {
    // A predicate that throws (e.g. with expect()) reports its own failure, unchanged.
    const verdict = (expected as (state: S) => boolean | void)(state);
    if (verdict === false) fail(`${heading}: the state does not satisfy the check:\n${show(state)}`, { actual: state });
    return;
  }
  assertDeepEqual(state, expected, `${heading}: unexpected state`);
}

/**
 * Starts a given/when/then test of any aggregate definition, with no server:
 * `given(todoListAggregate, [{ type: 'TodoCreated', data }]).when(command).then([events])`.
 * Each given event must match `eventSchemas`, and the state they lead to must match `stateSchema`.
 * Failures throw node's `AssertionError` with a readable message, so any test runner reports them.
 */
export function given<S, C, E extends DomainEvent>(
  definition: AggregateDefinition<S, C, E>,
  events: readonly NoInfer<E>[] = [],
): Given<S, C, E> {
  const label = `aggregate "${definition.type}"`;
  let state = definition.initialState();
  events.forEach((event, index) => {
    let data: unknown;
    try {
      data = validateEvent(definition, event);
    } catch (error) {
      fail(`given event #${index + 1} of ${label} is not valid: ${(error as Error).message}`, { cause: error });
    }
    state = definition.evolve(state, { type: event.type, data } as E);
  });
  ensureValidState(definition, state, `the state after the given events of ${label}`);
  const givenState = state;

  const when = (command: unknown): When<S, E> => {
    const outcome = run(definition, givenState, command);
    const heading = `${label}, when ${show(command)}`;
    function unexpected(expectation: string): never {
      return fail(`${heading}: expected ${expectation}, but ${describeOutcome(outcome)}`, {
        cause: outcome.kind === 'events' ? undefined : outcome.error,
      });
    }
    const decided = (expectation: string): Decided<S, E> => {
      if (outcome.kind !== 'events') unexpected(expectation);
      let next = givenState;
      for (const event of outcome.events) next = definition.evolve(next, event);
      ensureValidState(definition, next, `${heading}: the state after the produced events`);
      const result: Decided<S, E> = {
        events: outcome.events,
        state: next,
        andState(expected) {
          checkState(next, expected, heading);
          return result;
        },
      };
      return result;
    };

    return {
      then(expected) {
        if (typeof expected === 'function') {
          // An awaited scenario lands here: `await` calls then(resolve, reject) on anything with a then().
          throw new TypeError(
            'then() takes the expected events; a when(...) scenario is not a promise, do not await or return it',
          );
        }
        const result = decided(expected.length === 0 ? 'no event' : `events ${show(expected)}`);
        assertDeepEqual(result.events, expected, `${heading}: unexpected events`);
        return result;
      },
      thenNothing() {
        const result = decided('no event');
        if (result.events.length > 0) unexpected('no event');
        return result;
      },
      thenState(expected) {
        return decided('a state').andState(expected);
      },
      thenRejected(reason) {
        const expectation = reason === undefined ? 'a rejection' : `a rejection with reason ${show(reason)}`;
        if (outcome.kind !== 'rejected') return unexpected(expectation);
        if (!matches(outcome.error.reason, reason)) {
          fail(`${heading}: expected ${expectation}, but the reason was ${show(outcome.error.reason)}`, {
            actual: outcome.error.reason,
            expected: reason,
          });
        }
        return outcome.error;
      },
      thenInvalid(message) {
        const expectation =
          message === undefined ? 'a validation error' : `a validation error matching ${show(message)}`;
        if (outcome.kind !== 'invalid') return unexpected(expectation);
        if (!matches(outcome.error.message, message)) {
          fail(`${heading}: expected ${expectation}, but the message was:\n${outcome.error.message}`, {
            actual: outcome.error.message,
            expected: message,
          });
        }
        return outcome.error;
      },
    };
  };

  return { state: givenState, when, whenUntyped: when };
}

function ensureValidState<S, C, E extends DomainEvent>(
  definition: AggregateDefinition<S, C, E>,
  state: S,
  what: string,
): void {
  try {
    validateState(definition, state);
  } catch (error) {
    // A state the schema rejects would make every snapshot of it unusable: a defect in evolve.
    fail(`${what} does not match stateSchema: ${(error as Error).message}`, { actual: state, cause: error });
  }
}

function run<S, C, E extends DomainEvent>(
  definition: AggregateDefinition<S, C, E>,
  state: S,
  command: unknown,
): Outcome<E> {
  let parsed: C;
  try {
    parsed = validateCommand(definition, command) as C;
  } catch (error) {
    if (error instanceof ValidationError) return { kind: 'invalid', error };
    throw error;
  }
  let events: E[];
  try {
    events = definition.decide(parsed, state);
  } catch (error) {
    if (error instanceof CommandRejectedError) return { kind: 'rejected', error };
    return { kind: 'threw', error };
  }
  if (!Array.isArray(events)) {
    return { kind: 'threw', error: new TypeError(`decide returned ${show(events)}, not an array`) };
  }
  for (const event of events) {
    try {
      validateEvent(definition, event);
    } catch (error) {
      // The repository would refuse to store it, so the command could never succeed as written.
      if (!(error instanceof ChronicleError)) throw error;
      const invalid = new TypeError(`decide returned an invalid event: ${error.message}`, { cause: error });
      return { kind: 'threw', error: invalid };
    }
  }
  return { kind: 'events', events };
}
