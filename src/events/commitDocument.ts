import { z } from 'zod';
import { CorruptDocumentError } from '../errors.js';
import { decodePayload } from '../serialization/payload.js';
import type { EventMetadata, RecordedEvent } from './types.js';
import { storedIntSchema } from '../validation.js';

/** One event inside a commit document, as stored. */
export interface StoredEvent {
  id: string;
  type: string;
  schemaVersion: number;
  version: number;
  data: unknown;
  /** superjson meta as a JSON string, only when the payload needed it. */
  meta?: string;
}

/** The `events` collection's document: one per append. See DESIGN.md, Storage model. */
export interface CommitDocument {
  _id: string;
  streamId: string;
  streamType: string;
  prev: number;
  version: number;
  events: StoredEvent[];
  metadata?: EventMetadata;
  recordedAt: Date;
  /** Copy of the commit's global position (`positions` is the truth); null or absent until numbered. */
  position?: number | null;
}

const int = storedIntSchema;

const storedEventSchema = z.object({
  id: z.string(),
  type: z.string().min(1),
  schemaVersion: int,
  version: int,
  data: z.unknown(),
  meta: z.string().optional(),
});

const commitSchema = z
  .object({
    _id: z.string(),
    streamId: z.string().min(1),
    streamType: z.string(),
    prev: int,
    version: int,
    events: z.array(storedEventSchema).min(1),
    metadata: z
      .object({ correlationId: z.string().optional(), causationId: z.string().optional(), actor: z.string().optional() })
      .nullish(),
    recordedAt: z.date(),
    position: int.nullish(),
  })
  .refine((c) => c.version === c.prev + c.events.length, { error: 'version must equal prev + number of events' })
  .refine((c) => c.events.every((e, i) => e.version === c.prev + i + 1), { error: 'event versions must run from prev + 1' });

/**
 * Validates a commit document read from MongoDB and turns it into recorded events.
 * A hand-edited document that no longer parses becomes a `CorruptDocumentError` naming
 * the stream and commit, never a TypeError somewhere later.
 */
export function decodeCommit(raw: unknown): RecordedEvent[] {
  const parsed = commitSchema.safeParse(raw);
  const rawObj = (raw ?? {}) as { _id?: unknown; streamId?: unknown };
  const where = `commit ${JSON.stringify(rawObj._id)} of stream ${JSON.stringify(rawObj.streamId)}`;
  if (!parsed.success) {
    throw new CorruptDocumentError('events', String(rawObj._id), `${where} does not parse: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`);
  }
  const c = parsed.data;
  const metadata = c.metadata ? stripUndefined(c.metadata) : null;
  return c.events.map((e) => {
    let data: unknown;
    try {
      data = decodePayload({ data: e.data, meta: e.meta });
    } catch (err) {
      throw new CorruptDocumentError('events', c._id, `${where}, event version ${e.version} (${e.type}): payload does not decode: ${(err as Error).message}`, { cause: err });
    }
    return {
      streamId: c.streamId,
      version: e.version,
      type: e.type,
      schemaVersion: e.schemaVersion,
      data,
      commitId: c._id,
      recordedAt: c.recordedAt,
      metadata,
      position: c.position ?? null,
    };
  });
}

function stripUndefined(m: EventMetadata): EventMetadata {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as EventMetadata;
}
