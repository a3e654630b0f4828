import fc from 'fast-check';
import { BSON, Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { decodePayload, encodePayload, type StoredPayload } from '../../../src/serialization/payload.js';

/** What the repository gets back: the driver's real BSON round trip, Int64 read as bigint. */
function throughBson(stored: StoredPayload): { data: unknown; meta?: unknown } {
  const doc = BSON.deserialize(BSON.serialize({ p: stored }), { useBigInt64: true });
  return doc.p as { data: unknown; meta?: unknown };
}

const roundTrip = (value: unknown): unknown => decodePayload(throughBson(encodePayload(value)));

/**
 * Exact comparison: vitest's equality ignores undefined properties, Map/Set order and -0.
 * Returns where the values first differ, or undefined.
 */
function difference(a: unknown, b: unknown, at = '$'): string | undefined {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return Object.is(a, b) ? undefined : `${at}: ${String(a)} (${typeof a}) vs ${String(b)} (${typeof b})`;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${at}: different prototypes`;
  if (a instanceof Date) return difference(a.getTime(), (b as Date).getTime(), at);
  if (a instanceof RegExp || a instanceof URL) return difference(String(a), String(b), at);
  if (a instanceof Map || a instanceof Set) {
    return difference([...a], [...(b as Map<unknown, unknown> | Set<unknown>)], `${at}(entries)`);
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.join('\0') !== keysB.join('\0')) return `${at}: keys [${keysA.join(', ')}] vs [${keysB.join(', ')}]`;
  for (const key of keysA) {
    const found = difference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** FerretDB rejects an array directly inside an array; Compass should see only plain BSON. */
function unreadable(value: unknown, at = 'data', inArray = false): string | undefined {
  if (Array.isArray(value)) {
    if (inArray) return `${at}: array inside array`;
    for (const [i, item] of value.entries()) {
      const found = unreadable(item, `${at}[${i}]`, true);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? `${at}: invalid Date` : undefined;
  if (Long.isLong(value) || value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0) ? undefined : `${at}: ${value}`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      const found = unreadable(item, `${at}.${key}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return `${at}: not plain BSON (${typeof value})`;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary', maxLength: 6 }));
const safeKey = fc
  .string({ unit: 'binary', maxLength: 6 })
  .filter((k) => !k.startsWith('$') && !k.includes('.') && !k.includes('\0'))
  .filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));
const leaf = fc.oneof(
  text,
  fc.integer(),
  fc.double(), // includes NaN, ±Infinity and -0
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 40, Number.MAX_SAFE_INTEGER + 2),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date(), // includes Invalid Date
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.bigInt(),
  fc.constantFrom(INT64_MIN, INT64_MAX, INT64_MIN - 1n, INT64_MAX + 1n, 0n),
  fc.constantFrom(/a.b/giu, new URL('https://example.com/a?b=1')),
);
const { value: anyValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('map'), tie('set')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(safeKey, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  map: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((entries) => new Map(entries)),
  set: fc.array(tie('value'), { maxLength: 3 }).map((items) => new Set(items)),
}));

describe('payload encoding (property)', () => {
  it('restores every value exactly after a real BSON round trip', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(difference(value, roundTrip(value))).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('stores only plain, FerretDB-safe BSON, with meta as a JSON string', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const stored = encodePayload(value);
        expect(unreadable(stored.data)).toBeUndefined();
        if ('meta' in stored) expect(() => JSON.parse(stored.meta as string) as unknown).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects a "$" or "." field name anywhere, naming its path', () => {
    const badKey = fc.oneof(safeKey.map((k) => `$${k}`), fc.tuple(safeKey, safeKey).map(([a, b]) => `${a}.${b}`));
    fc.assert(
      fc.property(anyValue, badKey, (value, key) => {
        const payload = { list: [value, new Map([['k', { [key]: 1 }]])] };
        expect(() => encodePayload(payload, 'payload')).toThrow(ValidationError);
        expect(() => encodePayload(payload, 'payload')).toThrow('payload.list[1].get("k")');
      }),
    );
  });
});

describe('payload encoding (examples)', () => {
  it('keeps a Date as a BSON Date and needs no meta for plain data', () => {
    const stored = encodePayload({ at: new Date(), n: 1, s: 'x' });
    expect((stored.data as { at: unknown }).at).toBeInstanceOf(Date);
    expect('meta' in stored).toBe(false);
  });

  it('stores a bigint that fits int64 as Int64, and keeps integers as numbers', () => {
    const stored = encodePayload({ n: 5n, max: INT64_MAX, big: 2 ** 40, small: 7 });
    const data = stored.data as Record<string, unknown>;
    expect(Long.isLong(data.n) && Long.isLong(data.max)).toBe(true);
    expect('meta' in stored).toBe(false);
    expect(decodePayload(throughBson(stored))).toStrictEqual({ n: 5n, max: INT64_MAX, big: 2 ** 40, small: 7 });
    // A reader with promoteLongs: false gets Long instances; they are bigints too.
    expect(decodePayload({ data: Long.fromBigInt(-3n) })).toBe(-3n);
  });

  it('stores what BSON cannot express in a readable form plus meta', () => {
    const value = {
      byName: new Map([['alice', 1]]),
      tags: new Set(['a']),
      gone: undefined,
      ratio: NaN,
      huge: INT64_MAX + 1n,
      grid: [[1, 2], [3]],
    };
    const stored = encodePayload(value);
    expect(stored.data).toStrictEqual({
      byName: [{ key: 'alice', value: 1 }],
      tags: ['a'],
      gone: null,
      ratio: 'NaN',
      huge: '9223372036854775808',
      grid: [{ items: [1, 2] }, { items: [3] }],
    });
    expect(typeof stored.meta).toBe('string');
    expect(difference(value, roundTrip(value))).toBeUndefined();
  });

  it('allows any string as a Map key, since it is stored as a value', () => {
    const value = new Map([['$where', 1], ['a.b', 2]]);
    expect(difference(value, roundTrip(value))).toBeUndefined();
  });

  it.each([
    [{ $where: 1 }, 'data.$where'],
    [{ a: { 'b.c': 1 } }, 'data.a["b.c"]'],
    [{ items: [0, 1, { ok: { $gt: 1 } }] }, 'data.items[2].ok.$gt'],
    [{ s: new Set([{ $x: 1 }]) }, 'data.s[0].$x'],
    [{ constructor: 1 }, 'data.constructor'],
  ])('rejects the key in %o, naming %s', (value, path) => {
    expect(() => encodePayload(value)).toThrow(ValidationError);
    expect(() => encodePayload(value)).toThrow(path);
  });

  it('rejects values it cannot store', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    class Money {
      amount = 1;
    }
    const sparse: unknown[] = [];
    sparse[2] = 1;
    for (const value of [cyclic, { f: () => 1 }, { m: new Money() }, { s: Symbol('x') }, { s: 'a\uD800' }, sparse]) {
      expect(() => encodePayload(value)).toThrow(ValidationError);
    }
    expect(() => encodePayload({ m: new Money() }, 'payload')).toThrow('payload.m: Money values cannot be stored');
  });

  it.each([
    ['meta that is not JSON', { data: {}, meta: '{nope' }, /meta is not valid JSON/],
    ['meta that is not a string', { data: {}, meta: { values: {} } }, /meta must be a JSON string/],
    ['meta of the wrong shape', { data: {}, meta: '{"values":3,"v":1}' }, /malformed annotation/],
    ['an unknown meta field', { data: {}, meta: '{"v":1,"extra":1}' }, /unknown fields: extra/],
    ['a Map that is not a list of entries', { data: { m: [1] }, meta: '{"values":{"m":["map"]},"v":1}' }, /Map entry/],
    ['an unknown annotation', { data: { m: 1 }, meta: '{"values":{"m":["weird"]},"v":1}' }, /weird/],
    ['a wrapped array that is not', { data: { g: [1] }, meta: '{"v":1,"wrappedArrays":["g.0"]}' }, /items/],
  ])('refuses %s with a clear Error', (_name, stored, message) => {
    let thrown: unknown;
    try {
      decodePayload(stored);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).constructor).toBe(Error);
    expect((thrown as Error).message).toMatch(/^cannot decode stored payload: /);
    expect((thrown as Error).message).toMatch(message);
  });
});
