import { z } from 'zod';
import { ValidationError } from './errors.js';

/** Longest stream id we accept; keeps index keys small on every server. */
export const MAX_STREAM_ID_LENGTH = 256;

export const streamIdSchema = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty', abort: true })
  .refine((s) => s.trim() !== '', { error: 'must not be blank' })
  .max(MAX_STREAM_ID_LENGTH, { error: `must be at most ${MAX_STREAM_ID_LENGTH} characters` })
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f]/.test(s), { error: 'must not contain control characters' });

export const versionSchema = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must not be negative' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });

/**
 * Parses `value` with `schema` or throws a `ValidationError` whose message names what was
 * wrong (`label`) and every issue with its path. Runs before any I/O.
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, label: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }));
  // The label leads the message once; each issue adds only its path below it.
  const detail = issues.map((i) => (i.path.length ? `${formatPath(i.path)}: ${i.message}` : i.message)).join('; ');
  throw new ValidationError(`invalid ${label}: ${detail}`, issues);
}

/** `[0].type`, `afterVersion`, `data.items[2]`: a path as a person writes it in JavaScript. */
function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Validates a stream id; an object such as `{ $gt: "" }` is refused before it reaches a query. */
export function parseStreamId(value: unknown): string {
  return parseInput(streamIdSchema, value, 'streamId');
}

/** A stream type: a word that prefixes stream ids (`todos` in `todos-7`). */
export const streamTypeSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, { error: 'must be a word of letters, digits and _' });

/** The stream type stored with a commit or snapshot when the caller names none: the id's part before the first `-`. */
export function streamTypeOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}

/** A non-negative integer as read from a stored document (Int64 arrives as bigint with useBigInt64). */
export const storedIntSchema = z.union([z.number(), z.bigint()]).transform(Number).pipe(z.number().int().min(0));
