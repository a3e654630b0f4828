import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { countRoundTrips, useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);

/** `{ n: { n: … { leaf: 1 } } }`: `levels` objects, the outermost included. */
function nested(levels: number): unknown {
  let data: unknown = { leaf: 1 };
  for (let i = 1; i < levels; i++) data = { n: data };
  return data;
}

describe('payload limits', () => {
  it('stores event data 97 levels deep: with the commit, its events array and the event, 100 levels', async () => {
    await t.chronicle.events.append('deep-97', [{ type: 'D', data: nested(97) }], { expectedVersion: 0 });
    const [e] = await t.chronicle.events.read('deep-97');
    expect(e?.data).toEqual(nested(97));
  });

  it.each([98, 100, 1000, 5000])('refuses event data %i levels deep before any I/O, naming the path', async (levels) => {
    const { result: err, commands } = await countRoundTrips(t.client, () =>
      t.chronicle.events.append(`deep-${levels}`, [{ type: 'D', data: nested(levels) }], { expectedVersion: 0 }).catch((e: unknown) => e),
    );
    expect(commands).toEqual([]);
    expect(err).toBeInstanceOf(ValidationError);
    const message = (err as ValidationError).message;
    expect(message).toMatch(/^events\[0\]\.data(\.n)+: nested more than 97 levels deep/);
    expect(message).toMatch(/MongoDB stores documents at most 100 levels deep/);
    expect((err as ValidationError).issues[0]?.path.slice(0, 3)).toEqual(['events[0].data', 'n', 'n']);
  });

  it('counts the levels a Map or nested arrays add in storage', async () => {
    // 90 plain levels, then a Map (stored as an array of {key, value}: two levels) holding 7 more.
    let data: unknown = nested(7);
    data = new Map([['k', data]]);
    for (let i = 0; i < 89; i++) data = { n: data };
    await expect(t.chronicle.events.append('deep-map', [{ type: 'D', data }], { expectedVersion: 0 })).rejects.toThrow(/nested more than 97 levels deep/);
    let arrays: unknown = 1;
    for (let i = 0; i < 60; i++) arrays = [arrays]; // each inner array is wrapped as {items: [...]}: 2 levels
    await expect(t.chronicle.events.append('deep-arr', [{ type: 'D', data: arrays }], { expectedVersion: 0 })).rejects.toThrow(/nested more than 97 levels deep/);
    expect(await t.db.collection('events').countDocuments({})).toBe(1);
  });

  it('refuses snapshot states nested past the limit', async () => {
    await expect(t.chronicle.snapshots.save({ streamId: 'deep-1', version: 1, schemaVersion: 1, state: nested(100) })).rejects.toThrow(/^state(\.n)+: nested more than 99 levels deep/);
    expect((await t.chronicle.snapshots.save({ streamId: 'deep-1', version: 1, schemaVersion: 1, state: nested(99) })).written).toBe(true);
  });

  it.each(['constructor', 'prototype', '__proto__'])('refuses the key %s, saying these three names are reserved', async (key) => {
    const data = JSON.parse(`{"a": {"${key}": {"x": 1}}}`) as unknown;
    const err = await t.chronicle.events.append('reserved-1', [{ type: 'A', data }], { expectedVersion: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain(`events[0].data.a.${key}: "${key}" is not allowed as a field name (constructor, prototype and __proto__ are reserved`);
  });
});
