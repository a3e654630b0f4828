import type { Db } from 'mongodb';
import { createGlobalLog } from '../../src/log/globalLog.js';
import type { AnyProjectionDefinition, ProjectionEvent } from '../../src/projections/types.js';

/** Every commit of the log, in order. */
export async function readWholeLog(db: Db) {
  const log = createGlobalLog(db);
  const all = [];
  for (;;) {
    const batch = await log.read({ after: all.length, limit: 10_000 });
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/**
 * The read model a projection should hold: its `evolve` folded over the whole log from
 * scratch, in memory, written independently of the runner (no batches, no positions).
 */
export async function foldFromScratch(db: Db, def: AnyProjectionDefinition): Promise<Record<string, unknown>> {
  const docs = new Map<string, unknown>();
  for (const c of await readWholeLog(db)) {
    if (def.streamTypes && !def.streamTypes.includes(c.streamType)) continue;
    for (const e of c.events) {
      if (def.eventTypes && !def.eventTypes.includes(e.type)) continue;
      const event = { ...e, streamType: c.streamType, position: c.position } as ProjectionEvent;
      const raw: unknown = def.documentId(event);
      const ids = raw == null ? [] : Array.isArray(raw) ? (raw as string[]) : [raw as string];
      for (const id of new Set(ids)) {
        const next: unknown = def.evolve(docs.get(id) ?? null, event, id);
        if (next === null) docs.delete(id);
        else docs.set(id, next);
      }
    }
  }
  return Object.fromEntries([...docs].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The collection's documents by `_id`, without `_id` and `_position`. */
export async function readModelOf(db: Db, collection: string): Promise<Record<string, unknown>> {
  const docs = await db.collection(collection).find({}).toArray();
  return Object.fromEntries(
    docs
      .map((d) => {
        const { _id, _position, ...rest } = d;
        void _position;
        return [String(_id), rest] as const;
      })
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}
