import { ProjectionFailedError, ValidationError, type ProjectionFailurePoint, type ValidationIssue } from '../errors.js';
import type { LoggedCommit } from '../log/types.js';
import { assertStorableKeys } from '../serialization/payload.js';
import type { AnyProjectionDefinition, ProjectionDocument, ProjectionEvent } from './types.js';

/** An event of the batch with the read-model documents it touches. */
export interface RoutedEvent {
  event: ProjectionEvent;
  ids: string[];
}

/**
 * A document as stored before the batch: its fields (null when absent or deleted), the
 * position it reflects, and whether the collection holds it (at which `_position`).
 */
export interface StoredDocument {
  doc: ProjectionDocument | null;
  /** Highest position applied to it: the document's `_position`, or its tombstone's. 0: never seen. */
  position: number;
  /** `_position` of the document in the collection, or null when the collection has none. */
  inCollection: number | null;
}

/** What the batch does to one document: write `doc` (or delete when null) as of `position`. */
export interface DocumentWrite {
  id: string;
  doc: ProjectionDocument | null;
  position: number;
  /** As read before the batch; decides between insert and guarded replace / delete. */
  before: StoredDocument;
}

const MAX_ID_LENGTH = 1_000;

const pointOf = (event: ProjectionEvent, documentId?: string): ProjectionFailurePoint => ({
  position: event.position,
  streamId: event.streamId,
  version: event.version,
  eventType: event.type,
  ...(documentId === undefined ? {} : { documentId }),
});

const fail = (def: AnyProjectionDefinition, event: ProjectionEvent, message: string, opts: { documentId?: string; issues?: ValidationIssue[]; cause?: unknown } = {}): never => {
  throw new ProjectionFailedError(`${def.name}@${def.version}`, pointOf(event, opts.documentId), message, opts.issues ?? [], { cause: opts.cause });
};

/**
 * The batch's events that pass the definition's filters, each with the ids `documentId` gave
 * (deduplicated; none is fine). An id that is not a non-empty string stops the projection.
 */
export function routeEvents(def: AnyProjectionDefinition, commits: readonly LoggedCommit[]): RoutedEvent[] {
  const streamTypes = def.streamTypes ? new Set(def.streamTypes) : null;
  const eventTypes = def.eventTypes ? new Set(def.eventTypes) : null;
  const routed: RoutedEvent[] = [];
  for (const c of commits) {
    if (streamTypes && !streamTypes.has(c.streamType)) continue;
    for (const e of c.events) {
      if (eventTypes && !eventTypes.has(e.type)) continue;
      const event = { ...e, streamType: c.streamType, position: c.position } as ProjectionEvent;
      let raw: unknown;
      try {
        raw = def.documentId(event);
      } catch (err) {
        fail(def, event, `documentId threw: ${(err as Error).message}`, { cause: err });
      }
      const list = raw === null || raw === undefined ? [] : Array.isArray(raw) ? (raw as unknown[]) : [raw];
      for (const id of list) {
        if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
          fail(def, event, `documentId must return non-empty strings of at most ${MAX_ID_LENGTH} characters (or none), got ${JSON.stringify(id)}`);
        }
      }
      routed.push({ event, ids: [...new Set(list as string[])] });
    }
  }
  return routed;
}

/**
 * Folds the routed events into the documents read before the batch: an event at or below a
 * document's stored position was applied already (by an earlier, crashed or concurrent run) and
 * is skipped. Every result is checked (schema, storable keys) before anything is written, so a
 * failure leaves the collection as it was. Returns one write per changed document.
 */
export function foldDocuments(def: AnyProjectionDefinition, routed: readonly RoutedEvent[], stored: ReadonlyMap<string, StoredDocument>): DocumentWrite[] {
  const current = new Map<string, { doc: ProjectionDocument | null; position: number }>();
  for (const { event, ids } of routed) {
    for (const id of ids) {
      const before = stored.get(id) ?? { doc: null, position: 0, inCollection: null };
      // Compared with the position before the batch: the events of one commit share a position.
      if (event.position <= before.position) continue;
      const state = current.get(id) ?? { doc: before.doc, position: before.position };
      let next: unknown;
      try {
        next = def.evolve(state.doc, event, id);
      } catch (err) {
        fail(def, event, `evolve threw: ${(err as Error).message}`, { documentId: id, cause: err });
      }
      if (next !== null) checkDocument(def, event, id, next);
      current.set(id, { doc: next as ProjectionDocument | null, position: event.position });
    }
  }
  const writes: DocumentWrite[] = [];
  for (const [id, s] of current) {
    const before = stored.get(id) ?? { doc: null, position: 0, inCollection: null };
    // Absent before and after: nothing to write (its position needs no record).
    if (s.doc === null && before.doc === null && before.inCollection === null) continue;
    writes.push({ id, doc: s.doc, position: s.position, before });
  }
  return writes;
}

function checkDocument(def: AnyProjectionDefinition, event: ProjectionEvent, id: string, next: unknown): void {
  if (typeof next !== 'object' || next === null || Array.isArray(next)) {
    fail(def, event, `evolve must return an object or null, got ${Array.isArray(next) ? 'an array' : typeof next}`, { documentId: id });
  }
  const doc = next as ProjectionDocument;
  if ('_id' in doc || '_position' in doc) fail(def, event, 'evolve must not return _id or _position (the runner sets them)', { documentId: id });
  try {
    assertStorableKeys(doc, 'document');
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    fail(def, event, err.message, { documentId: id, issues: err.issues, cause: err });
  }
  if (def.schema) {
    const r = def.schema.safeParse(doc);
    if (!r.success) {
      const issues = r.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }));
      fail(def, event, `the schema rejected the document: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, { documentId: id, issues });
    }
  }
}
