import fc from 'fast-check';
import { BSON } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { encodePayload, encodeWithSuperjson, type StoredPayload } from '../../../src/serialization/payload.js';

// encodePayload stores plain-JSON payloads without going through superjson; the result must be
// byte for byte what the superjson path stores, for plain values and for everything else.
const key = fc
  .string({ unit: 'binary', maxLength: 5 })
  .filter((k) => !k.startsWith('$') && !k.includes('.') && !k.includes('\0'))
  .filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));
const plainLeaf = fc.oneof(fc.string({ unit: 'grapheme' }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true }));
// Occasionally something superjson must annotate, at any depth.
const oddLeaf = fc.constantFrom<unknown>(undefined, -0, NaN, Infinity, 12n, new Date(Number.NaN), new Map([['a', 1]]), new Set([1]), /x/g);
const leaf = fc.oneof({ weight: 12, arbitrary: plainLeaf }, { weight: 1, arbitrary: oddLeaf });
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('bare')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  // Objects without a prototype are plain objects too.
  bare: fc.dictionary(key, tie('value'), { maxKeys: 3 }).map((o) => Object.assign(Object.create(null) as object, o)),
}));

const bytes = (p: StoredPayload) => Buffer.from(BSON.serialize({ d: p.data, m: p.meta ?? null })).toString('hex');

describe('payload encoding: plain-JSON shortcut', () => {
  it('stores exactly what the superjson path stores', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(bytes(encodePayload(v))).toBe(bytes(encodeWithSuperjson(v)));
      }),
      { numRuns: 3000 },
    );
  });

  it('copies the payload rather than storing the caller’s objects', () => {
    const data = { a: { b: [1, 2] }, when: new Date(0) };
    const stored = encodePayload(data) as { data: typeof data };
    expect(stored.data).toEqual(data);
    expect(stored.data).not.toBe(data);
    expect(stored.data.a).not.toBe(data.a);
    expect(stored.data.when).not.toBe(data.when);
  });
});
