/**
 * Payloads (event data, snapshot state) are stored so that Compass shows them as ordinary BSON,
 * yet read back as the exact JS values. superjson does the type work; this module only changes
 * its JSON output where BSON can say it better or where FerretDB would refuse it:
 *
 * - `Date` and `bigint` within int64 become a BSON Date / Int64, and their annotation is dropped;
 * - a Map's `[key, value]` pairs become `{key, value}` objects, and an array directly inside an
 *   array becomes `{items: [...]}`, because FerretDB rejects nested arrays.
 *
 * What remains of superjson's meta (plus the list of wrapped arrays) is stored as a JSON string,
 * since its annotation tree is itself made of nested arrays. Annotation paths keep superjson's
 * layout, so decoding rebuilds exactly the JSON superjson produced and lets it do the rest.
 */
import { Long } from 'mongodb';
import SuperJSON, { type SuperJSONResult, type SuperJSONValue } from 'superjson';
import { ValidationError } from '../errors.js';

/** What is stored in MongoDB for a payload (event data or snapshot state). */
export interface StoredPayload {
  data: unknown;
  /** superjson meta as a JSON string; present only when `data` alone cannot restore the value. */
  meta?: string;
}

type Segment = string | number;
type Annotations = NonNullable<SuperJSONResult['meta']>['values'];

const WRAP_KEY = 'items';
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// superjson throws on these names (its prototype-pollution guard); say so with a path instead.
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// With the u flag this matches only unpaired surrogates, which UTF-8 (hence BSON) cannot carry.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

// A private instance, so the rule below does not change superjson for any other user of it.
const sj = new SuperJSON();
// superjson passes an invalid Date through untouched, and BSON would then store it as 1970.
sj.registerCustom<Date, string>(
  {
    isApplicable: (v): v is Date => v instanceof Date && Number.isNaN(v.getTime()),
    serialize: () => 'Invalid Date',
    deserialize: () => new Date(Number.NaN),
  },
  'InvalidDate',
);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const escapeKey = (key: string): string => key.replace(/\\/g, '\\\\').replace(/\./g, '\\.');
const property = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

function reject(where: string, segments: Segment[], problem: string): never {
  const message = `${where}: ${problem}`;
  throw new ValidationError(message, [{ path: segments, message }]);
}

function checkKey(key: string, where: string, segments: Segment[]): void {
  if (key.startsWith('$')) reject(where, segments, 'field names must not start with "$"');
  if (key.includes('.')) reject(where, segments, 'field names must not contain "."');
  if (key.includes('\0')) reject(where, segments, 'field names must not contain a NUL character');
  if (RESERVED_KEYS.has(key)) {
    reject(where, segments, `"${key}" is not allowed as a field name (constructor, prototype and __proto__ are reserved: as keys they could reach JavaScript prototypes when the payload is read)`);
  }
  if (LONE_SURROGATE.test(key)) reject(where, segments, 'field name contains an unpaired UTF-16 surrogate');
}

const SCALARS = new Set(['number', 'boolean', 'bigint', 'undefined']);

/** MongoDB refuses documents nested deeper than this; every object or array is a level. */
export const MONGODB_MAX_DEPTH = 100;
/** Levels a payload may use by default: the snapshot document holding a state is one more. */
export const DEFAULT_MAX_PAYLOAD_DEPTH = MONGODB_MAX_DEPTH - 1;

function tooDeep(where: string, segments: Segment[], maxDepth: number): never {
  reject(where, segments, `nested more than ${maxDepth} levels deep; MongoDB stores documents at most ${MONGODB_MAX_DEPTH} levels deep, and the document around this payload uses the rest`);
}

function inspect(value: unknown, where: string, segments: Segment[], ancestors: Set<object>, maxDepth: number): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) reject(where, segments, 'string contains an unpaired UTF-16 surrogate');
    return;
  }
  if (SCALARS.has(typeof value)) return;
  if (typeof value !== 'object') reject(where, segments, `a ${typeof value} cannot be stored`);
  if (value === null || value instanceof Date || value instanceof RegExp || value instanceof URL) return;
  if (ancestors.has(value)) reject(where, segments, 'circular reference');
  // Checked on the way down, so a payload thousands of levels deep is refused before it can
  // exhaust the stack here or in superjson. `segments` starts with the payload's own name.
  if (segments.length > maxDepth) tooDeep(where, segments, maxDepth);
  ancestors.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) reject(`${where}[${i}]`, [...segments, i], 'sparse arrays cannot be stored');
      inspect(value[i], `${where}[${i}]`, [...segments, i], ancestors, maxDepth);
    }
  } else if (value instanceof Map) {
    [...value].forEach(([k, v]: [unknown, unknown], i) => {
      inspect(k, `${where}.keys()[${i}]`, [...segments, i], ancestors, maxDepth);
      const label = typeof k === 'string' || typeof k === 'number' ? JSON.stringify(k) : `#${i}`;
      inspect(v, `${where}.get(${label})`, [...segments, typeof k === 'string' ? k : i], ancestors, maxDepth);
    });
  } else if (value instanceof Set) {
    [...value].forEach((v, i) => inspect(v, `${where}[${i}]`, [...segments, i], ancestors, maxDepth));
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      checkKey(k, where + property(k), [...segments, k]);
      inspect(v, where + property(k), [...segments, k], ancestors, maxDepth);
    }
  } else {
    const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    reject(where, segments, `${kind} values cannot be stored (use plain objects, arrays, Map, Set, Date, bigint)`);
  }
  ancestors.delete(value);
}

/**
 * Throws the `ValidationError` `encodePayload` would throw for `value`: a field name that starts
 * with `$` or contains `.` (at any depth, also inside arrays, Maps and Sets), a circular
 * reference, or a value of a type that cannot be stored. The message names the offending path,
 * starting with `path` (e.g. `payload.items[2].$where`).
 */
export function assertStorableKeys(value: unknown, path = 'data', maxDepth = DEFAULT_MAX_PAYLOAD_DEPTH): void {
  inspect(value, path, [path], new Set(), maxDepth);
}

/**
 * Refuses stored data deeper than `maxDepth`. The input was checked already; this catches the
 * levels storage adds (a Map's `{key, value}` entries, the `{items}` around a nested array).
 */
function assertStoredDepth(data: unknown, path: string, maxDepth: number): void {
  const walk = (node: unknown, where: string, segments: Segment[]): void => {
    if (typeof node !== 'object' || node === null || node instanceof Date || !(Array.isArray(node) || isPlainObject(node))) return;
    if (segments.length > maxDepth) tooDeep(`${where} (as stored)`, segments, maxDepth);
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${where}[${i}]`, [...segments, i]));
    else for (const [k, v] of Object.entries(node)) walk(v, where + property(k), [...segments, k]);
  };
  walk(data, path, [path]);
}

/** Maps each superjson annotation to its path (`''` is the root, `.a.0` is `root.a[0]`). */
function flatten(tree: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (tree === undefined) return out;
  let children = tree;
  if (Array.isArray(tree)) {
    if (tree.length < 1 || tree.length > 2) throw new Error(`malformed annotation at "${prefix}"`);
    out.set(prefix, tree[0]);
    children = tree[1];
    if (children === undefined) return out;
  }
  if (!isPlainObject(children)) throw new Error(`malformed annotation tree at "${prefix}"`);
  for (const [key, sub] of Object.entries(children)) flatten(sub, `${prefix}.${key}`, out);
  return out;
}

/** superjson's tree without the annotations at `dropped` paths (leaves only: Date, bigint). */
function prune(tree: unknown, prefix: string, dropped: Set<string>): unknown {
  if (tree === undefined) return undefined;
  const [type, children] = Array.isArray(tree) ? (tree as unknown[]) : [undefined, tree];
  let kept: Record<string, unknown> | undefined;
  for (const [key, sub] of Object.entries(children ?? {})) {
    const rest = prune(sub, `${prefix}.${key}`, dropped);
    if (rest !== undefined) (kept ??= {})[key] = rest;
  }
  // Only leaves (Date, bigint) are dropped; a record of children relative to this prefix is
  // what superjson itself emits for an unannotated node.
  if (!Array.isArray(tree) || dropped.has(prefix)) return kept;
  return kept ? [type, kept] : [type];
}

/**
 * Converts a payload to what is stored: readable BSON in `data`, and in `meta` (a JSON string)
 * only what BSON cannot say itself (Map, Set, undefined, NaN, ±Infinity, -0, bigint beyond
 * int64, RegExp, URL, invalid Date, arrays nested in arrays).
 * @param path prefix of the paths in error messages, e.g. `events[0].data`.
 * @param maxDepth levels of nesting the stored payload may use (the payload itself is level 1):
 *   MongoDB's 100 minus the levels of the document around it.
 * @throws ValidationError naming the path of a forbidden key, an unstorable value, or nesting
 *   deeper than `maxDepth`.
 */
export function encodePayload(value: unknown, path = 'data', maxDepth = DEFAULT_MAX_PAYLOAD_DEPTH): StoredPayload {
  assertStorableKeys(value, path, maxDepth);
  // Most payloads are plain JSON (plus valid Dates): stored as they are, with no meta, which is
  // exactly what the superjson path below produces for them, at a fraction of the cost.
  const plain = plainCopy(value, false);
  if (plain !== NOT_PLAIN) return { data: plain };
  const stored = superjsonEncode(value, path);
  assertStoredDepth(stored.data, path, maxDepth);
  return stored;
}

const NOT_PLAIN: unique symbol = Symbol('not plain');

/**
 * A copy of `value` when BSON stores it as is and superjson would annotate nothing: strings,
 * booleans, null, finite numbers other than -0, valid Dates, plain objects without undefined
 * values, and arrays not directly inside arrays. Anything else: `NOT_PLAIN`. Runs after
 * `assertStorableKeys`, so keys, cycles and sparse arrays are already checked.
 */
function plainCopy(value: unknown, inArray: boolean): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? value : NOT_PLAIN;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        if (inArray) return NOT_PLAIN;
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const v = plainCopy(value[i], true);
          if (v === NOT_PLAIN) return NOT_PLAIN;
          out[i] = v;
        }
        return out;
      }
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? NOT_PLAIN : new Date(value.getTime());
      if (!isPlainObject(value)) return NOT_PLAIN;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const v = plainCopy(value[key], false);
        if (v === NOT_PLAIN) return NOT_PLAIN;
        out[key] = v;
      }
      return out;
    }
    default:
      return NOT_PLAIN;
  }
}

/** `encodePayload` without its plain-JSON shortcut; exported for the test that checks both agree. */
export function encodeWithSuperjson(value: unknown, path = 'data'): StoredPayload {
  assertStorableKeys(value, path);
  return superjsonEncode(value, path);
}

/** The general path: superjson, then its JSON reshaped for BSON and FerretDB. */
function superjsonEncode(value: unknown, path: string): StoredPayload {
  let result: SuperJSONResult;
  try {
    result = sj.serialize(value as SuperJSONValue);
  } catch (cause) {
    throw new ValidationError(`${path}: cannot be serialized: ${messageOf(cause)}`, [], { cause });
  }
  // referentialEqualities are ignored on purpose: cycles were refused above, and a shared
  // sub-object is stored twice anyway, so handing back aliases would only surprise `evolve`.
  const types = flatten(result.meta?.values);
  const dropped = new Set<string>();
  const wrapped: string[] = [];
  const store = (node: unknown, p: string): unknown => {
    const type = types.get(p);
    if (type === 'Date' && typeof node === 'string') {
      dropped.add(p);
      return new Date(node);
    }
    if (type === 'bigint' && typeof node === 'string') {
      const n = BigInt(node);
      if (n < INT64_MIN || n > INT64_MAX) return node;
      dropped.add(p);
      return Long.fromBigInt(n);
    }
    if (type === 'map' && Array.isArray(node)) {
      return node.map(([k, v]: [unknown, unknown], i) => ({
        key: store(k, `${p}.${i}.0`),
        value: store(v, `${p}.${i}.1`),
      }));
    }
    if (Array.isArray(node)) {
      return node.map((item: unknown, i) => {
        const stored = store(item, `${p}.${i}`);
        if (!Array.isArray(stored)) return stored;
        wrapped.push(`${p}.${i}`.slice(1)); // same form as superjson's paths: no leading dot
        return { [WRAP_KEY]: stored };
      });
    }
    if (!isPlainObject(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(node)) out[key] = store(v, `${p}.${escapeKey(key)}`);
    return out;
  };
  const data = store(result.json, '');
  const values = prune(result.meta?.values, '', dropped);
  if (values === undefined && wrapped.length === 0) return { data };
  const wrappedArrays = wrapped.length > 0 ? wrapped : undefined;
  // JSON.stringify leaves out the undefined fields.
  return { data, meta: JSON.stringify({ values, v: 1, wrappedArrays }) };
}

function parseMeta(raw: unknown): { values?: unknown; wrappedArrays?: string[] } {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'string') throw new Error(`meta must be a JSON string, not ${typeof raw}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`meta is not valid JSON (${messageOf(error)})`, { cause: error });
  }
  if (!isPlainObject(parsed)) throw new Error('meta must be a JSON object');
  const { values, v, wrappedArrays, ...rest } = parsed;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new Error(`meta has unknown fields: ${unknown.join(', ')}`);
  // superjson reads paths of version 0 differently (no escaping), so only 1 is accepted.
  if (v !== 1) throw new Error(`meta.v must be 1, got ${JSON.stringify(v)}`);
  const isStringList = Array.isArray(wrappedArrays) && wrappedArrays.every((s) => typeof s === 'string');
  if (wrappedArrays !== undefined && !isStringList) {
    throw new Error('meta.wrappedArrays must be an array of strings');
  }
  return { values, wrappedArrays: wrappedArrays as string[] | undefined };
}

/**
 * Restores the exact JS value from a stored payload, as read by the driver with
 * `useBigInt64: true` (Int64 must not arrive as a lossy JS number).
 * @param path prefix of the paths in error messages, as for `encodePayload`.
 * @throws Error with a readable message when `stored` is malformed; the caller adds which
 * document it was (CorruptDocumentError).
 */
export function decodePayload(stored: { data: unknown; meta?: unknown }, path = 'data'): unknown {
  try {
    if (typeof stored !== 'object' || stored === null) throw new Error('stored payload must be an object');
    const { values, wrappedArrays } = parseMeta(stored.meta);
    const types = flatten(values);
    const wrapped = new Set(wrappedArrays?.map((q) => `.${q}`));
    const restore = (node: unknown, p: string): unknown => {
      // The repository reads with `useBigInt64: true`, so Int64 arrives as bigint; a Long is what
      // a reader with `promoteLongs: false` gets. Either way only our bigints were written as
      // Int64: the driver writes JS numbers as Int32 or Double, so numbers never become bigints.
      if (typeof node === 'bigint') return node;
      if (Long.isLong(node)) return node.toBigInt();
      if (Array.isArray(node)) {
        const isMap = types.get(p) === 'map';
        return node.map((item: unknown, i) => {
          const q = `${p}.${i}`;
          if (isMap) {
            if (!isPlainObject(item) || !('key' in item)) {
              throw new Error(`expected a Map entry {key, value} at ${path}${q}`);
            }
            return [restore(item.key, `${q}.0`), restore(item.value, `${q}.1`)];
          }
          if (!wrapped.has(q)) return restore(item, q);
          const inner = isPlainObject(item) ? item[WRAP_KEY] : undefined;
          if (!Array.isArray(inner)) throw new Error(`expected a wrapped array {${WRAP_KEY}: [...]} at ${path}${q}`);
          return restore(inner, q);
        });
      }
      if (!isPlainObject(node)) return node;
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        if (RESERVED_KEYS.has(key)) throw new Error(`unexpected field "${key}" at ${path}${p}`);
        out[key] = restore(value, `${p}.${escapeKey(key)}`);
      }
      return out;
    };
    const json = restore(stored.data, '') as SuperJSONResult['json'];
    if (values === undefined) return json;
    return sj.deserialize({ json, meta: { values: values as Annotations, v: 1 } }, { inPlace: true });
  } catch (error) {
    throw new Error(`cannot decode stored payload: ${messageOf(error)}`, { cause: error });
  }
}
