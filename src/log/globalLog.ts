import type { Db } from 'mongodb';
import { z } from 'zod';
import { CorruptDocumentError } from '../errors.js';
import { decodeCommit } from '../events/commitDocument.js';
import { parseInput } from '../validation.js';
import { createLogRepository, type LogRepository } from './logRepository.js';
import type { GlobalLog, LoggedCommit } from './types.js';

const MAX_READ = 10_000;
const readOptionsSchema = z.strictObject(
  {
    after: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, { error: 'must not be negative' }).max(Number.MAX_SAFE_INTEGER).optional(),
    limit: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(MAX_READ, { error: `must be at most ${MAX_READ}` }).optional(),
  },
  { error: 'must be an object { after?, limit? }' },
);
const commitIdSchema = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });

/** Reads the global log of `db` (see `GlobalLog`). */
export function createGlobalLog(db: Db, opts: { eventsCollection?: string } = {}): GlobalLog {
  const repo = createLogRepository(db, opts.eventsCollection);
  return {
    head: () => repo.head(),
    async read(readOpts = {}) {
      const o = parseInput(readOptionsSchema, readOpts, 'log read options');
      return readLog(repo, o.after ?? 0, o.limit ?? 100);
    },
    async positionOf(commitId) {
      const id = parseInput(commitIdSchema, commitId, 'commitId');
      return (await repo.positionsOf([id])).get(id) ?? null;
    },
    async pending() {
      const [count, oldestRecordedAt] = await Promise.all([repo.countPending(), repo.oldestPending()]);
      return { count, oldestRecordedAt: count === 0 ? null : oldestRecordedAt };
    },
  };
}

/**
 * Commits at `after + 1 …`, read through `positions` (the truth) and then the commits by id, so
 * a commit whose `position` copy lags is never skipped. Stops before the first position that is
 * not visible yet: positions are inserted in order, so a hole is only ever a moment's lag.
 */
export async function readLog(repo: LogRepository, after: number, limit: number): Promise<LoggedCommit[]> {
  const positions = await repo.positionsAfter(after, limit);
  const contiguous = [];
  for (const p of positions) {
    if (p._id !== after + contiguous.length + 1) break;
    contiguous.push(p);
  }
  if (contiguous.length === 0) return [];
  const commits = await repo.commitsById(contiguous.map((p) => p.commitId));
  return contiguous.map((p) => {
    const doc = commits.get(p.commitId);
    if (!doc) throw new CorruptDocumentError('positions', String(p._id), `position ${p._id} names commit "${p.commitId}", which is not in the events collection (deleted or restored from an older dump?)`);
    const events = decodeCommit(doc).map((e) => ({ ...e, position: p._id }));
    const first = events[0]!;
    return {
      position: p._id,
      commitId: p.commitId,
      streamId: first.streamId,
      streamType: String(doc.streamType),
      version: Number(doc.version),
      events,
      recordedAt: first.recordedAt,
      metadata: first.metadata,
    };
  });
}
