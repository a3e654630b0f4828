import { BSON } from 'mongodb';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { encodePayload, MONGODB_MAX_DEPTH } from '../serialization/payload.js';
import { parseInput, streamIdSchema, streamTypeOf, streamTypeSchema, versionSchema } from '../validation.js';
import type { CommitDocument, StoredEvent } from './commitDocument.js';
import type { AppendOptions, EventInput } from './types.js';

/** Most events one append may carry; larger batches are almost always a bug upstream. */
export const MAX_EVENTS_PER_COMMIT = 10_000;
/** Levels an event's data may use: the commit document, its `events` array and the event take 3. */
export const MAX_EVENT_DATA_DEPTH = MONGODB_MAX_DEPTH - 3;
/** Largest commit document we write: 16 MiB is the server's hard limit, this leaves room. */
export const DEFAULT_MAX_COMMIT_BYTES = 12 * 1024 * 1024;

const shortString = (max: number) => z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(max, { error: `must be at most ${max} characters` });

const eventInputSchema = z.object(
  {
    type: shortString(200),
    data: z.unknown(),
    schemaVersion: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).optional(),
  },
  { error: 'must be an object { type, data, schemaVersion? }' },
);

const eventsSchema = z
  .array(eventInputSchema, { error: 'must be an array of events' })
  .min(1, { error: 'must contain at least one event' })
  .max(MAX_EVENTS_PER_COMMIT, { error: `must contain at most ${MAX_EVENTS_PER_COMMIT} events per append` });

const metadataSchema = z.strictObject(
  { correlationId: shortString(500).optional(), causationId: shortString(500).optional(), actor: shortString(500).optional() },
  { error: 'must be an object with correlationId, causationId and actor strings' },
);

const appendOptionsSchema = z.object(
  {
    expectedVersion: z.union([versionSchema, z.literal('any')], { error: "must be a non-negative whole number or 'any'" }),
    streamType: streamTypeSchema.optional(),
    commitId: shortString(200).optional(),
    metadata: metadataSchema.optional(),
  },
  { error: 'must be an object with expectedVersion' },
);

export interface PreparedAppend {
  streamId: string;
  streamType: string;
  expectedVersion: number | 'any';
  commitId: string;
  metadata: AppendOptions['metadata'];
  events: Omit<StoredEvent, 'version'>[];
  /** Set by the aggregate path for a command with a commandId: an existing commit with this id is the result. */
  acceptExisting?: boolean;
}

/** Validates and encodes everything about an append before any I/O. */
export function prepareAppend(streamId: unknown, events: unknown, opts: unknown, newId: () => string): PreparedAppend {
  const id = parseInput(streamIdSchema, streamId, 'streamId');
  const list = parseInput(eventsSchema, events, 'events') as EventInput[];
  const o = parseInput(appendOptionsSchema, opts, 'options');
  const streamType = o.streamType ?? streamTypeOf(id);
  return {
    streamId: id,
    streamType,
    expectedVersion: o.expectedVersion,
    commitId: o.commitId ?? newId(),
    metadata: o.metadata,
    events: list.map((e, i) => {
      const payload = encodePayload(e.data, `events[${i}].data`, MAX_EVENT_DATA_DEPTH);
      return {
        id: newId(),
        type: e.type,
        schemaVersion: e.schemaVersion ?? 1,
        data: payload.data,
        ...(payload.meta !== undefined ? { meta: payload.meta } : {}),
      };
    }),
  };
}

/** Builds the commit document for `prev` and checks its size against the limit. */
export function buildCommit(p: PreparedAppend, prev: number, maxBytes: number): CommitDocument {
  const doc: CommitDocument = {
    _id: p.commitId,
    streamId: p.streamId,
    streamType: p.streamType,
    prev,
    version: prev + p.events.length,
    events: p.events.map((e, i) => ({ ...e, version: prev + i + 1 })),
    ...(p.metadata ? { metadata: p.metadata } : {}),
    recordedAt: new Date(),
    // Numbered later by the sequencer (DESIGN.md "Global log"); the append never waits for it.
    position: null,
  };
  const size = BSON.calculateObjectSize(doc);
  if (size > maxBytes) {
    throw new ValidationError(
      `append to "${p.streamId}" is ${size} bytes as a document; the limit is ${maxBytes} bytes (MongoDB's hard limit is 16 MiB). Split the batch or shrink the payloads.`,
      [{ path: ['events'], message: `document size ${size} exceeds ${maxBytes}` }],
    );
  }
  return doc;
}

/**
 * A stable fingerprint of what an append stores, ignoring generated ids and versions:
 * a retry with the same commitId must carry the same events to be the same append.
 * Object keys are sorted first (at any depth, also in the superjson meta's JSON), so the
 * same payload built with its fields in another order is the same append; array order counts.
 */
export function commitFingerprint(streamId: string, events: { type: string; schemaVersion: number; data: unknown; meta?: string | undefined }[]): string {
  const canonical = events.map((e) => ({ t: e.type, v: e.schemaVersion, d: sortKeys(e.data), m: e.meta === undefined ? null : canonicalJson(e.meta) }));
  return Buffer.from(BSON.serialize({ s: streamId, e: canonical })).toString('base64');
}

/** Metadata as compared between a commit and its retry: absent and `{}` are the same. */
export function metadataFingerprint(metadata: Record<string, unknown> | null | undefined): string {
  const present = Object.entries(metadata ?? {}).filter(([, v]) => v !== undefined && v !== null);
  return JSON.stringify(present.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A copy of a stored payload with the keys of every plain object in sorted order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Date, Long, Binary: compared as values
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

function canonicalJson(json: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(json)));
  } catch {
    return json;
  }
}
