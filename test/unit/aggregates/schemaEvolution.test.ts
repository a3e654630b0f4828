import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAggregate } from '../../../src/aggregates/defineAggregate.js';
import { migrationSources } from '../../../src/aggregates/migrateState.js';
import { currentEventVersion, upcastEvent } from '../../../src/aggregates/upcast.js';
import { userAggregate, userAggregateV2 } from '../../../src/domain/index.js';
import { CorruptDocumentError, ValidationError } from '../../../src/errors.js';

const base = {
  type: 'thing',
  schemaVersion: 3,
  stateSchema: z.object({ n: z.number() }),
  commandSchema: z.object({ type: z.literal('Touch') }),
  eventSchemas: { Touched: z.object({ by: z.string() }), Other: z.object({}) },
  initialState: () => ({ n: 0 }),
  evolve: (s: { n: number }) => ({ n: s.n + 1 }),
  decide: () => [],
};
const recorded = (schemaVersion: number, data: unknown) => ({ streamId: 'thing-1', version: 7, type: 'Touched', schemaVersion, data, commitId: 'c1', recordedAt: new Date(0), metadata: null, position: null });

describe('defineAggregate: upcasters and migrateState', () => {
  it('takes them, and the current event version is 1 + the number of steps', () => {
    const def = defineAggregate({ ...base, upcasters: { Touched: { 1: (d: object) => ({ ...d, by: 'x' }), 2: (d: object) => d } }, migrateState: { 2: (s: unknown) => s } });
    expect(currentEventVersion(def, 'Touched')).toBe(3);
    expect(currentEventVersion(def, 'Other')).toBe(1);
    expect(currentEventVersion(userAggregate, 'UserCreated')).toBe(1);
    expect(migrationSources(def)).toEqual([2]);
    expect(migrationSources(userAggregateV2)).toEqual([1]);
    expect(migrationSources(userAggregate)).toEqual([]);
  });

  it.each([
    [{ upcasters: { Nope: { 1: () => ({}) } } }, /upcasters\.Nope names no event type \(known: Touched, Other\)/],
    [{ upcasters: { Touched: { 2: () => ({}) } } }, /upcasters\.Touched must have steps from versions 1\.\.1 without gaps, got 2/],
    [{ upcasters: { Touched: { 1: () => ({}), 3: () => ({}) } } }, /without gaps, got 1, 3/],
    [{ upcasters: { Touched: { 1: 'x' } } }, /upcasters\.Touched\.1 must be a function/],
    [{ migrateState: { 3: () => ({}) } }, /migrateState\.3 must migrate from a schema version between 1 and 2/],
    [{ migrateState: { 1: null } }, /migrateState\.1 must be a function/],
  ])('refuses malformed evolution steps at definition time (%#)', (extra, message) => {
    expect(() => defineAggregate({ ...base, ...extra } as never)).toThrow(ValidationError);
    expect(() => defineAggregate({ ...base, ...extra } as never)).toThrow(message);
  });
});

describe('upcastEvent', () => {
  const def = defineAggregate({ ...base, upcasters: { Touched: { 1: (d: { who: string }) => ({ by: d.who, v: 2 }), 2: (d: { by: string }) => ({ by: d.by.toUpperCase() }) } } });

  it('brings stored data to the current version step by step, without touching the stored event', () => {
    const stored = recorded(1, { who: 'ada' });
    expect(upcastEvent(def, stored)).toEqual({ ...stored, schemaVersion: 3, data: { by: 'ADA' } });
    expect(stored).toEqual(recorded(1, { who: 'ada' }));
    const current = recorded(3, { by: 'x' });
    expect(upcastEvent(def, current)).toBe(current);
  });

  it('names stream, version and type when the stored version is newer than known', () => {
    expect(() => upcastEvent(def, recorded(5, {}))).toThrow(CorruptDocumentError);
    expect(() => upcastEvent(def, recorded(5, {}))).toThrow('stream "thing-1" version 7: event "Touched" has schema version 5, but aggregate "thing" knows versions up to 3; was it written by newer code?');
  });
});
