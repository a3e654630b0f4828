import { ChronicleError, CorruptDocumentError } from '../errors.js';
import type { RecordedEvent } from '../events/types.js';
import type { AggregateDefinition, DomainEvent } from './types.js';
import { upcastEvent } from './upcast.js';
import { validateEvent } from './validation.js';

/**
 * Folds recorded events into `state` with the definition's `evolve`, validating each against
 * `eventSchemas`. An event that does not fit, or an `evolve` that throws, becomes a
 * `ChronicleError` naming stream, version and type.
 */
export function replayEvents<TState, TCommand, TEvent extends DomainEvent>(
  definition: AggregateDefinition<TState, TCommand, TEvent>,
  state: TState,
  events: RecordedEvent[],
): TState {
  let s = state;
  for (const stored of events) {
    // Stored data of an older schema version is brought to the current one before validation.
    const e = upcastEvent(definition, stored);
    let domainEvent: TEvent;
    try {
      domainEvent = { type: e.type, data: validateEvent(definition, e) } as TEvent;
    } catch (err) {
      throw new CorruptDocumentError(
        'events',
        e.commitId,
        `stream "${e.streamId}" version ${e.version}: event "${e.type}" does not fit aggregate "${definition.type}": ${(err as Error).message}`,
        { cause: err },
      );
    }
    try {
      s = definition.evolve(s, domainEvent);
    } catch (err) {
      if (err instanceof ChronicleError) throw err;
      throw new ChronicleError('CORRUPT_DOCUMENT', `stream "${e.streamId}" version ${e.version}: evolve failed on "${e.type}": ${(err as Error).message}`, { cause: err });
    }
  }
  return s;
}
