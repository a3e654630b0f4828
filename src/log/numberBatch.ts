import type { LogRepository, PendingCommit, PositionDocument } from './logRepository.js';

/** What one pass of the sequencer did. */
export interface BatchResult {
  /** Un-numbered commits the pass looked at. */
  seen: number;
  /** Positions this pass inserted. */
  numbered: number;
  /** `position` copies set for commits someone (maybe a crashed pass) had numbered already. */
  repaired: number;
  /** Head after the pass, as far as this pass knows. */
  head: number;
}

export interface NumberBatchContext {
  repo: LogRepository;
  batchSize: number;
  /** Highest version per stream known to be numbered: a fact, so it may be stale but never wrong. */
  numberedUpTo: Map<string, number>;
  /** The head as this process last knew it; null to read it. */
  head: number | null;
  /** Test hook: runs after the positions are in, before the copies (a crash window). */
  afterPositions?: (positions: PositionDocument[]) => Promise<void>;
}

const MAX_CONFLICTS = 20;
const KNOWN_STREAMS_KEPT = 100_000;

/**
 * One pass of the sequencer (DESIGN.md "Global log"): read the oldest un-numbered commits,
 * order them (oldest first, each stream in version order, pulling in a pending predecessor the
 * batch lacks), insert `head+1, head+2, …` with one ordered insertMany, then set the copies.
 *
 * Correct with any number of passes running at once, paused or killed anywhere: a position and
 * a commitId are each unique, every attempt starts at an observed head + 1 and inserts in
 * order, and a stream's commit is only ever inserted after its predecessor got a position.
 * A duplicate key means someone numbered first: re-read which commits are numbered, and go on.
 */
export async function numberBatch(ctx: NumberBatchContext): Promise<BatchResult> {
  const { repo } = ctx;
  let pending = await repo.pendingCommits(ctx.batchSize);
  if (pending.length === 0) return { seen: 0, numbered: 0, repaired: 0, head: ctx.head ?? (await repo.head()) };

  // A stream whose pending commits in the batch do not chain onto a version known to be numbered
  // may have an un-numbered commit outside the batch (a writer whose clock runs ahead got a later
  // `recordedAt`): fetch all of that stream's un-numbered commits before numbering any of it.
  const byStream = new Map<string, PendingCommit[]>();
  for (const c of pending) byStream.set(c.streamId, [...(byStream.get(c.streamId) ?? []), c]);
  const unsure: string[] = [];
  for (const [streamId, list] of byStream) {
    list.sort((a, b) => a.version - b.version);
    const chained = list.every((c, i) => (i === 0 ? c.prev === 0 || ctx.numberedUpTo.get(streamId) === c.prev : c.prev === list[i - 1]!.version));
    if (!chained) unsure.push(streamId);
  }
  if (unsure.length > 0) {
    const seen = new Set(pending.map((c) => c._id));
    pending = [...pending, ...(await repo.pendingOfStreams(unsure)).filter((c) => !seen.has(c._id))];
  }

  let order = orderForNumbering(pending);
  // commitId → its position and stream version, for every commit this pass knows is numbered.
  const copies = new Map<string, { position: number; streamId: string; version: number }>();
  const inserted: PositionDocument[] = [];
  let head = ctx.head;
  for (let attempt = 0; order.length > 0; attempt++) {
    head ??= await repo.head();
    const from = head;
    const docs: PositionDocument[] = order.map((c, i) => ({ _id: from + 1 + i, commitId: c._id, streamId: c.streamId, streamType: c.streamType, version: c.version, recordedAt: c.recordedAt }));
    const res = await repo.insertPositions(docs);
    for (const d of docs.slice(0, res.inserted)) {
      inserted.push(d);
      copies.set(d.commitId, { position: d._id, streamId: d.streamId, version: d.version });
    }
    if (!res.conflict) {
      head = from + docs.length;
      break;
    }
    // Someone else numbered some of these (or took these numbers): learn which commits have a
    // position now, whoever gave it, and retry the rest from a freshly read head.
    head = null;
    const have = await repo.positionsOf(order.map((c) => c._id));
    for (const c of order) {
      const p = have.get(c._id);
      if (p !== undefined && !copies.has(c._id)) copies.set(c._id, { position: p, streamId: c.streamId, version: c.version });
    }
    order = order.filter((c) => !have.has(c._id));
    if (attempt >= MAX_CONFLICTS) break;
  }

  if (ctx.afterPositions && inserted.length > 0) await ctx.afterPositions(inserted);
  await repo.setCopies([...copies].map(([commitId, c]) => ({ commitId, position: c.position })));
  if (ctx.numberedUpTo.size > KNOWN_STREAMS_KEPT) ctx.numberedUpTo.clear();
  for (const c of copies.values()) if ((ctx.numberedUpTo.get(c.streamId) ?? 0) < c.version) ctx.numberedUpTo.set(c.streamId, c.version);
  return { seen: pending.length, numbered: inserted.length, repaired: copies.size - inserted.length, head: head ?? (await repo.head()) };
}

/**
 * The numbering order of a batch: oldest `recordedAt` first, except that each stream's commits
 * take that stream's slots in version order (clocks may disagree, the chain may not).
 */
export function orderForNumbering(pending: PendingCommit[]): PendingCommit[] {
  const byTime = [...pending].sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime() || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
  const byStream = new Map<string, PendingCommit[]>();
  for (const c of pending) byStream.set(c.streamId, [...(byStream.get(c.streamId) ?? []), c]);
  for (const list of byStream.values()) list.sort((a, b) => a.version - b.version);
  const next = new Map<string, number>();
  return byTime.map((slot) => {
    const i = next.get(slot.streamId) ?? 0;
    next.set(slot.streamId, i + 1);
    return byStream.get(slot.streamId)![i]!;
  });
}
