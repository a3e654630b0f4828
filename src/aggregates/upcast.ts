import { CorruptDocumentError } from '../errors.js';
import type { RecordedEvent } from '../events/types.js';
import type { AnyAggregateDefinition } from './types.js';

type Steps = Readonly<Record<number, (data: unknown) => unknown>>;

function stepsOf(def: AnyAggregateDefinition, eventType: string): Steps | undefined {
  const upcasters = def.upcasters;
  return upcasters !== undefined && Object.hasOwn(upcasters, eventType) ? upcasters[eventType] : undefined;
}

/**
 * The schema version appends store for an event type: 1 plus the number of upcaster steps the
 * definition declares for it (the step keyed n turns version n into n + 1).
 */
export function currentEventVersion(def: AnyAggregateDefinition, eventType: string): number {
  const steps = stepsOf(def, eventType);
  return 1 + (steps ? Object.keys(steps).length : 0);
}

/** `decide`'s events with the schema version an append stores for each. */
export function withCurrentVersions<E extends { type: string }>(def: AnyAggregateDefinition, events: E[]): (E & { schemaVersion: number })[] {
  return events.map((e) => ({ ...e, schemaVersion: currentEventVersion(def, e.type) }));
}

/**
 * A stored event brought to its type's current schema version by the definition's upcasters, as
 * every read path that knows the definition does before validation. The stored event is left
 * as it is (a new object is returned). Types the definition does not know pass through, for
 * validation to reject.
 * @throws CorruptDocumentError naming stream, version and type when the stored schema version is
 *   newer than the definition knows, when no upcaster leads from it, or when an upcaster throws.
 */
export function upcastEvent(def: AnyAggregateDefinition, event: RecordedEvent): RecordedEvent {
  const current = currentEventVersion(def, event.type);
  if (event.schemaVersion === current || !Object.hasOwn(def.eventSchemas, event.type)) return event;
  const where = `stream "${event.streamId}" version ${event.version}: event "${event.type}" has schema version ${event.schemaVersion}`;
  if (event.schemaVersion > current) {
    throw new CorruptDocumentError('events', event.commitId, `${where}, but aggregate "${def.type}" knows versions up to ${current}; was it written by newer code?`);
  }
  const steps = stepsOf(def, event.type) ?? {};
  let data = event.data;
  for (let v = event.schemaVersion; v < current; v++) {
    const step = steps[v];
    if (typeof step !== 'function') {
      throw new CorruptDocumentError('events', event.commitId, `${where}, and aggregate "${def.type}" has no upcaster from version ${v} (current: ${current})`);
    }
    try {
      data = step(data);
    } catch (err) {
      throw new CorruptDocumentError('events', event.commitId, `${where}: the upcaster from version ${v} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return { ...event, schemaVersion: current, data };
}
