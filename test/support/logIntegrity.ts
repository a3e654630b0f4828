import type { Db } from 'mongodb';
import { expect } from 'vitest';

/**
 * Checks the global log of `db` against DESIGN.md's invariants: positions 1..N contiguous
 * (`count == max(_id)`), every commit numbered exactly once, each copy equal to its position,
 * and each stream's commits in version order. Returns N.
 */
export async function expectIntactLog(db: Db, opts: { copies?: boolean } = {}): Promise<number> {
  const positions = await db.collection<{ _id: number; commitId: string; streamId: string; version: number }>('positions').find({}, { promoteLongs: true }).sort({ _id: 1 }).toArray();
  const commits = await db.collection<{ _id: string; streamId: string; version: number; position?: number | null }>('events').find({}, { projection: { streamId: 1, version: 1, position: 1 } }).toArray();
  expect(positions.map((p) => Number(p._id)), 'positions are 1..N').toEqual(Array.from({ length: positions.length }, (_, i) => i + 1));
  expect(positions.length, 'every commit has a position').toBe(commits.length);
  const byCommit = new Map(positions.map((p) => [p.commitId, Number(p._id)]));
  expect(byCommit.size, 'no commit has two positions').toBe(positions.length);
  const lastOfStream = new Map<string, { version: number; position: number }>();
  for (const p of positions) {
    const prev = lastOfStream.get(p.streamId);
    if (prev) expect(p.version, `stream ${p.streamId} in version order at position ${p._id}`).toBeGreaterThan(prev.version);
    lastOfStream.set(p.streamId, { version: p.version, position: Number(p._id) });
  }
  for (const c of commits) {
    expect(byCommit.has(c._id), `commit ${c._id} numbered`).toBe(true);
    if (opts.copies !== false) expect(Number(c.position), `copy of commit ${c._id}`).toBe(byCommit.get(c._id));
  }
  return positions.length;
}
