import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { AnyAggregateDefinition, CommandOf, EventOf, StateOf } from './types.js';

/**
 * Converts zod issues to Chronicle's `{path, message}` issues.
 * `prefix` is prepended to every path, so an event payload's issues can point at `data.…`.
 */
export function toValidationIssues(
  issues: readonly z.ZodError['issues'][number][],
  prefix: readonly (string | number)[] = [],
): ValidationIssue[] {
  return issues.map((issue) => ({
    // zod allows symbol keys; Chronicle's paths are JSON-friendly, so they become strings.
    path: [...prefix, ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))],
    message: issue.message,
  }));
}

function fromZodError(heading: string, error: z.ZodError, prefix: readonly (string | number)[] = []): ValidationError {
  return new ValidationError(`${heading}\n${z.prettifyError(error)}`, toValidationIssues(error.issues, prefix), {
    cause: error,
  });
}

/**
 * Parses `command` with the definition's `commandSchema`, as the repository does before `decide`.
 * Returns the parsed command (defaults and transforms applied).
 * @throws ValidationError listing every problem, with a message a person can read.
 */
export function validateCommand<D extends AnyAggregateDefinition>(definition: D, command: unknown): CommandOf<D> {
  const result = definition.commandSchema.safeParse(command);
  if (!result.success) {
    throw fromZodError(`invalid command for aggregate "${definition.type}":`, result.error);
  }
  return result.data as CommandOf<D>;
}

/**
 * Checks that `event.type` is one of the definition's event types and that `event.data`
 * matches its schema. Returns the parsed `data`.
 * @throws ValidationError for an unknown type or an invalid payload (issue paths start at `data`).
 */
export function validateEvent<D extends AnyAggregateDefinition>(
  definition: D,
  event: { type: string; data: unknown },
): EventOf<D>['data'] {
  const type: unknown = (event as { type?: unknown } | null | undefined)?.type;
  if (typeof type !== 'string') {
    const message = `event for aggregate "${definition.type}" has no string "type"`;
    throw new ValidationError(message, [{ path: ['type'], message }]);
  }
  const schemas = definition.eventSchemas as Record<string, z.ZodType>;
  // Object.hasOwn keeps inherited names such as "toString" from passing as event types.
  const schema = Object.hasOwn(schemas, type) ? schemas[type] : undefined;
  if (schema === undefined) {
    const known = Object.keys(schemas).join(', ');
    const message = `unknown event type "${type}" for aggregate "${definition.type}" (known: ${known})`;
    throw new ValidationError(message, [{ path: ['type'], message }]);
  }
  const result = schema.safeParse(event.data);
  if (!result.success) {
    throw fromZodError(`invalid data for event "${type}" of aggregate "${definition.type}":`, result.error, ['data']);
  }
  return result.data as EventOf<D>['data'];
}

/**
 * Parses a state with the definition's `stateSchema` (a snapshot, or the state a test reached).
 * Returns the parsed state.
 * @throws ValidationError when the state does not have the shape of this `schemaVersion`.
 */
export function validateState<D extends AnyAggregateDefinition>(definition: D, state: unknown): StateOf<D> {
  const result = definition.stateSchema.safeParse(state);
  if (!result.success) {
    const { type, schemaVersion } = definition;
    const heading = `state of aggregate "${type}" (schemaVersion ${schemaVersion}) does not match its stateSchema:`;
    throw fromZodError(heading, result.error);
  }
  return result.data as StateOf<D>;
}
