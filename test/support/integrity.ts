import type { Db } from 'mongodb';
import { expect } from 'vitest';

/**
 * Checks every stream with the prefix is a gap-free chain of whole commits, and every
 * acknowledged commit is stored exactly once at the version it was acknowledged with.
 */
export async function expectIntactStreams(db: Db, prefix: string, acked: Map<string, { streamId: string; version: number }>, batchSize?: number): Promise<number> {
  const docs = await db
    .collection<{ _id: string; streamId: string; prev: number; version: number; events: { version: number }[] }>('events')
    .find({ streamId: { $regex: `^${prefix}-` } })
    .toArray();
  const byStream = new Map<string, typeof docs>();
  for (const d of docs) byStream.set(d.streamId, [...(byStream.get(d.streamId) ?? []), d]);
  for (const [streamId, commits] of byStream) {
    commits.sort((a, b) => a.prev - b.prev);
    let expected = 0;
    for (const c of commits) {
      expect(c.prev, `${streamId} chain`).toBe(expected);
      expect(c.version).toBe(c.prev + c.events.length);
      if (batchSize !== undefined) expect(c.events.length, `commit ${c._id} is whole`).toBe(batchSize);
      expect(c.events.map((e) => e.version)).toEqual(Array.from({ length: c.events.length }, (_, i) => c.prev + i + 1));
      expected = c.version;
    }
  }
  const ids = new Map(docs.map((d) => [d._id, d]));
  for (const [commitId, ack] of acked) {
    const stored = ids.get(commitId);
    expect(stored, `acknowledged commit ${commitId} is stored`).toBeDefined();
    expect({ streamId: stored?.streamId, version: stored?.version }).toEqual(ack);
  }
  expect(new Set(docs.map((d) => d._id)).size).toBe(docs.length);
  return docs.length;
}
