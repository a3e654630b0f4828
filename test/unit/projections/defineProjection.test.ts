import { describe, expect, it } from 'vitest';
import { ProjectionFailedError, ValidationError } from '../../../src/errors.js';
import type { LoggedCommit } from '../../../src/log/types.js';
import { defineProjection } from '../../../src/projections/defineProjection.js';
import { foldDocuments, routeEvents } from '../../../src/projections/foldBatch.js';

const base = { name: 'things', version: 1, documentId: () => 'x', evolve: () => ({ n: 1 }) };

const commit = (position: number, streamId: string, types: string[]): LoggedCommit => ({
  position,
  commitId: `c${position}`,
  streamId,
  streamType: streamId.split('-')[0]!,
  version: types.length,
  events: types.map((type, i) => ({ streamId, version: i + 1, type, schemaVersion: 1, data: { v: position }, commitId: `c${position}`, recordedAt: new Date(0), metadata: null, position })),
  recordedAt: new Date(0),
  metadata: null,
});

describe('defineProjection', () => {
  it('returns the definition; names a bad field with a ValidationError', () => {
    expect(defineProjection(base).name).toBe('things');
    expect(() => defineProjection({ ...base, name: 'has space' })).toThrow(ValidationError);
    expect(() => defineProjection({ ...base, name: 'a.b' })).toThrow(/invalid projection definition: name:/);
    expect(() => defineProjection({ ...base, version: 0 })).toThrow(/version: must be at least 1/);
    expect(() => defineProjection({ ...base, streamTypes: [] })).toThrow(/streamTypes: must not be empty/);
    expect(() => defineProjection({ ...base, evolve: 'no' as never })).toThrow(/evolve: must be a function/);
  });
});

describe('routing and folding a batch (pure)', () => {
  const counter = defineProjection<{ n: number }>({
    name: 'count',
    version: 1,
    streamTypes: ['a'],
    eventTypes: ['Hit'],
    documentId: (e) => (e.streamId === 'a-none' ? [] : [e.streamId, 'total', 'total']),
    evolve: (doc, e) => (e.position === 3 && doc ? null : { n: (doc?.n ?? 0) + 1 }),
  });

  it('filters by stream and event type, dedupes ids, and skips events at or below a stored position', () => {
    const routed = routeEvents(counter, [commit(1, 'a-1', ['Hit', 'Miss', 'Hit']), commit(2, 'b-1', ['Hit']), commit(3, 'a-none', ['Hit']), commit(4, 'a-2', ['Hit'])]);
    expect(routed.map((r) => [r.event.position, r.ids])).toEqual([
      [1, ['a-1', 'total']],
      [1, ['a-1', 'total']],
      [3, []],
      [4, ['a-2', 'total']],
    ]);
    // `total` already holds position 1: both events of commit 1 are skipped for it, not for a-1.
    const writes = foldDocuments(counter, routed, new Map([['total', { doc: { n: 2 }, position: 1, inCollection: 1 }]]));
    expect(writes.map((w) => [w.id, w.doc, w.position])).toEqual([
      ['a-1', { n: 2 }, 1],
      ['a-2', { n: 1 }, 4],
      ['total', { n: 3 }, 4],
    ]);
  });

  it('a bad id or a document with a forbidden key stops the batch with the event that caused it', () => {
    const badId = defineProjection({ ...base, documentId: () => 7 as never });
    expect(() => routeEvents(badId, [commit(5, 'x-1', ['E'])])).toThrow(ProjectionFailedError);
    const dollar = defineProjection({ ...base, evolve: () => ({ $set: 1 }) });
    const routed = routeEvents(dollar, [commit(6, 'x-1', ['E'])]);
    expect(() => foldDocuments(dollar, routed, new Map())).toThrow(/at position 6 \(event E of x-1 v1, document "x"\).*\$set/);
    const reserved = defineProjection({ ...base, evolve: () => ({ _position: 1 }) });
    expect(() => foldDocuments(reserved, routed, new Map())).toThrow(/must not return _id or _position/);
  });
});
