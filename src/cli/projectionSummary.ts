import type { Chronicle } from '../chronicle.js';
import { todoSummaryProjection, userDirectoryProjection } from '../domain/index.js';
import type { Logger } from '../logger.js';
import type { AnyProjectionDefinition } from '../projections/types.js';

/** The seed read models the demo (`chronicle start`) runs in its worker. */
export const demoProjections: readonly AnyProjectionDefinition[] = [todoSummaryProjection, userDirectoryProjection];

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** Waits until `def` is live with no lag (or `signal` aborts); false when it failed or was aborted. */
async function firstCatchUp(chronicle: Chronicle, def: AnyProjectionDefinition, signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted) {
    const s = await chronicle.projection(def).status();
    if (s.state === 'failed') return false;
    if (s.state === 'live' && s.lag === 0) return true;
    await sleep(200, signal);
  }
  return false;
}

/**
 * Logs one line per seed read model once it first caught up: what the demo's worker built, and
 * the queries a backend would run on it (most open todos, lookup by e-mail).
 */
export async function logDemoSummaries(chronicle: Chronicle, logger: Logger, signal: AbortSignal): Promise<void> {
  if (await firstCatchUp(chronicle, todoSummaryProjection, signal)) {
    const lists = await chronicle.projection(todoSummaryProjection).collection();
    // Summed here rather than with $group: FerretDB 1.24 sums field paths to 0.
    const docs = await lists.find({}, { projection: { total: 1, open: 1, done: 1 } }).toArray();
    const sum = (f: 'total' | 'open' | 'done') => docs.reduce((n, d) => n + Number(d[f] ?? 0), 0);
    const totals = { lists: docs.length, total: sum('total'), open: sum('open'), done: sum('done') };
    const busiest = await lists.find({}, { projection: { open: 1 } }).sort({ open: -1 }).limit(1).next();
    const s = await chronicle.projection(todoSummaryProjection).status();
    logger.info(
      { projection: 'todo_summaries@1', position: s.position, ...totals },
      `todo_summaries_v1 caught up at position ${s.position}: ${totals.lists} lists, ${totals.total} todos (${totals.open} open, ${totals.done} done)${busiest ? `; most open: ${busiest._id} (${busiest.open})` : ''}`,
    );
  }
  if (await firstCatchUp(chronicle, userDirectoryProjection, signal)) {
    const users = await chronicle.projection(userDirectoryProjection).collection();
    const docs = await users.find({}, { projection: { cookies: 1 } }).toArray();
    const totals = { users: docs.length, cookies: docs.reduce((n, d) => n + Number(d.cookies ?? 0), 0) };
    const deleted = await users.countDocuments({ deleted: true });
    const example = await users.findOne({ deleted: false }, { projection: { email: 1 } });
    const s = await chronicle.projection(userDirectoryProjection).status();
    logger.info(
      { projection: 'user_directory@1', position: s.position, ...totals, deleted },
      `user_directory_v1 caught up at position ${s.position}: ${totals.users} users (${deleted} deleted), ${totals.cookies} cookies in total${example ? `; db.user_directory_v1.findOne({ email: "${example.email}" }) finds ${example._id}` : ''}`,
    );
  }
}
