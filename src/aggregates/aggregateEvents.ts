import { CorruptDocumentError, ValidationError } from '../errors.js';
import type { EventRepository } from '../events/eventRepository.js';
import type { ReadOptions, RecordedEvent } from '../events/types.js';
import type { AggregateAppendOptions, AggregateAppendResult, AggregateDefinition, DomainEvent, RecordedEventOf } from './types.js';
import { upcastEvent, withCurrentVersions } from './upcast.js';
import { validateEvent } from './validation.js';

/**
 * `aggregate.append`: every event is checked against `eventSchemas` before anything is written,
 * so a stream can only receive events its aggregate can load.
 */
export async function appendToAggregate<TEvent extends DomainEvent>(
  definition: AggregateDefinition<unknown, unknown, TEvent>,
  events: EventRepository,
  streamId: string,
  input: TEvent[],
  opts: AggregateAppendOptions,
): Promise<AggregateAppendResult<TEvent>> {
  if (opts === null || typeof opts !== 'object') {
    throw new ValidationError(`append to "${streamId}": options { expectedVersion } are required`, [{ path: ['options'], message: 'must be an object { expectedVersion, commitId?, metadata? }' }]);
  }
  if (!Array.isArray(input) || input.length === 0) {
    throw new ValidationError(`append to "${streamId}": events must be a non-empty array`, [{ path: ['events'], message: 'must be a non-empty array' }]);
  }
  const checked = input.map((e, i) => {
    try {
      return { type: e.type, data: validateEvent(definition, e) as unknown };
    } catch (err) {
      const issues = err instanceof ValidationError ? err.issues.map((issue) => ({ ...issue, path: ['events', i, ...issue.path] })) : [];
      throw new ValidationError(`append to "${streamId}": events[${i}]: ${(err as Error).message}`, issues, { cause: err });
    }
  });
  const res = await events.append(streamId, withCurrentVersions(definition, checked), {
    expectedVersion: opts.expectedVersion,
    streamType: definition.type,
    ...(opts.commitId !== undefined ? { commitId: opts.commitId } : {}),
    ...(opts.metadata !== undefined ? { metadata: opts.metadata } : {}),
  });
  const recorded = await events.read(streamId, { afterVersion: res.version - checked.length, toVersion: res.version });
  return { ...res, events: recorded as RecordedEventOf<TEvent>[] };
}

/** `aggregate.readEvents`: the stream's events, each checked against `eventSchemas`. */
export async function readAggregateEvents<TEvent extends DomainEvent>(
  definition: AggregateDefinition<unknown, unknown, TEvent>,
  events: EventRepository,
  streamId: string,
  opts?: ReadOptions,
): Promise<RecordedEventOf<TEvent>[]> {
  const list = await events.read(streamId, opts);
  return list.map((stored: RecordedEvent) => {
    // Stored data of an older schema version is brought to the current one, as loads do.
    const e = upcastEvent(definition, stored);
    try {
      return { ...e, data: validateEvent(definition, e) as unknown } as RecordedEventOf<TEvent>;
    } catch (err) {
      throw new CorruptDocumentError('events', e.commitId, `stream "${e.streamId}" version ${e.version}: event "${e.type}" does not fit aggregate "${definition.type}": ${(err as Error).message}`, { cause: err });
    }
  });
}
