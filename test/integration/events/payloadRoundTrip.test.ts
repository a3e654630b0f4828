import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);

const safeKey = fc.oneof(fc.constantFrom('valueOf', 'toString', 'hasOwnProperty', 'toJSON', 'key', 'value', 'items'), fc.string({ minLength: 1, maxLength: 8 })).filter((k) => !k.startsWith('$') && !k.includes('.') && !['__proto__', 'constructor', 'prototype'].includes(k) && !k.includes('\u0000'));
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const leaf = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, undefined, null, true, false),
  fc.date({ min: new Date(-8.64e15 + 1), max: new Date(8.64e15 - 1), noInvalidDate: true }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('arr'), tie('obj'), tie('map'), tie('set')),
  arr: fc.array(tie('node'), { maxLength: 3 }),
  obj: fc.dictionary(safeKey, tie('node'), { maxKeys: 3, noNullPrototype: true }),
  map: fc.array(fc.tuple(text, tie('node')), { maxLength: 3 }).map((entries) => new Map(entries)),
  set: fc.array(fc.oneof(text, fc.integer()), { maxLength: 3 }).map((items) => new Set(items)),
})).obj;

describe('payload round trip through the real server', () => {
  it('restores Date, bigint, Map, Set, undefined, NaN, nested objects and unicode exactly', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(value, async (data) => {
        const streamId = `rt-${n++}`;
        await t.chronicle.events.append(streamId, [{ type: 'Any', data }], { expectedVersion: 0 });
        const [back] = await t.chronicle.events.read(streamId);
        expect(back?.data).toStrictEqual(data);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps payload keys named like Object.prototype members (the driver mangles those; we decode raw)', async () => {
    const data = { valueOf: [{ key: '', value: 0 }], toString: [{ a: 1 }], nested: { hasOwnProperty: [{ b: new Date(3) }] } };
    await t.chronicle.events.append('proto-1', [{ type: 'Any', data }], { expectedVersion: 0 });
    expect((await t.chronicle.events.read('proto-1'))[0]?.data).toStrictEqual(data);
    await t.chronicle.snapshots.save({ streamId: 'proto-1', version: 1, schemaVersion: 1, state: data });
    expect((await t.chronicle.snapshots.latest('proto-1'))?.state).toStrictEqual(data);
  });

  it('stores a BSON Date and plain fields, readable in Compass', async () => {
    const at = new Date('2026-11-23T10:00:00.000Z');
    const r = await t.chronicle.events.append('plain-1', [{ type: 'UserCreated', data: { name: 'Zoë 🚀', email: 'z@example.com', at, visits: 3, score: 1.5, big: 123n } }], { expectedVersion: 0 });
    const raw = await t.db.collection('events').findOne({ _id: r.commitId as never }, { useBigInt64: true });
    const data = raw?.events[0].data;
    expect(data.at).toBeInstanceOf(Date);
    expect(data).toEqual({ name: 'Zoë 🚀', email: 'z@example.com', at, visits: 3, score: 1.5, big: 123n });
    expect(raw?.events[0].meta).toBeUndefined();
  });
});
