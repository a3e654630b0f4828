/**
 * 2. Round trips per operation, counted with the driver's command monitoring: deterministic,
 * not timed. "Commands" is what was sent; "latencies" counts sequential round trips (queries
 * sent together, like a load's snapshot and tail reads, are one latency).
 */
import { todoListAggregate } from '../../../src/domain/index.js';
import type { BenchContext } from '../lib/context.js';
import { countCommands, stats, type CommandCount } from '../lib/harness.js';
import { historySlice, stateAfter } from '../lib/workload.js';

export interface RoundTripRow {
  op: string;
  count: CommandCount;
}

export async function benchRoundTrips(ctx: BenchContext): Promise<RoundTripRow[]> {
  const { db, chronicle, events } = await ctx.freshChronicle('roundtrips', ctx.monitored);
  const rows: RoundTripRow[] = [];
  const measure = async (op: string, fn: () => Promise<unknown>) => {
    const c = await countCommands(ctx.monitored, fn);
    rows.push({ op, count: c });
    return c;
  };
  try {
    const todos = chronicle.aggregate(todoListAggregate);
    // A warm pool, so connection setup never lands inside a measured operation.
    await Promise.all(Array.from({ length: 4 }, () => db.command({ ping: 1 })));
    for (let i = 0; i < 5; i++) await todos.handle('warm', { type: 'CreateTodo', todoId: `w${i}`, text: 'warm up' });

    // A stream with a short tail (5 events, no snapshot).
    for (let i = 0; i < 5; i++) await todos.handle('a', { type: 'CreateTodo', todoId: `a${i}`, text: `todo ${i}` });
    const load = await measure('load, short tail, no snapshot', () => todos.load('a'));
    const handle = await measure('handle (load + decide + hot-path append)', () => todos.handle('a', { type: 'CreateTodo', todoId: 'a9', text: 'one more' }));
    await measure('  hot-path append alone (appendAtKnownVersion)', () =>
      events.appendAtKnownVersion('todos-a', [{ type: 'TodoCreated', data: { todoId: 'a10', text: 'x', completed: false } }], { expectedVersion: 6, streamType: 'todos' }),
    );
    await measure('append, external expectedVersion (stream exists)', () =>
      chronicle.events.append('todos-a', [{ type: 'TodoCreated', data: { todoId: 'a11', text: 'x', completed: false } }], { expectedVersion: 7 }),
    );
    await measure('append, expectedVersion 0 (new stream)', () =>
      chronicle.events.append('todos-new', [{ type: 'TodoCreated', data: { todoId: 'n', text: 'x', completed: false } }], { expectedVersion: 0 }),
    );
    await measure("append, expectedVersion 'any'", () =>
      chronicle.events.append('todos-a', [{ type: 'TodoCreated', data: { todoId: 'a12', text: 'x', completed: false } }], { expectedVersion: 'any' }),
    );

    // A snapshot at the head plus a short tail after it.
    await chronicle.snapshots.save({ streamId: 'todos-a', version: 9, schemaVersion: todoListAggregate.schemaVersion, state: (await todos.load('a')).state });
    await todos.handle('a', { type: 'CreateTodo', todoId: 'a13', text: 'after the snapshot' });
    await measure('load, snapshot + short tail', () => todos.load('a'));
    await measure('read (whole stream)', () => chronicle.events.read('todos-a'));
    await measure('version', () => chronicle.events.version('todos-a'));
    await measure('snapshots.save (insert + prune check)', () =>
      chronicle.snapshots.save({ streamId: 'todos-a', version: 10, schemaVersion: todoListAggregate.schemaVersion, state: stateAfter(0) }),
    );

    // A tail longer than the loader's first read (64 commits) and no snapshot.
    let v = 0;
    for (let c = 0; c < 80; c++) {
      await events.appendAtKnownVersion('todos-long', historySlice(v, 1), { expectedVersion: v, streamType: 'todos' });
      v += 1;
    }
    await measure('load, 80-commit tail, no snapshot', () => todos.load('long'));

    const hotPath = handle.commands.length - load.commands.length;
    ctx.figures.push({ section: 'round trips', name: 'hot-path append (handle minus its load)', stats: stats([hotPath]), unit: 'commands', headline: 'round trips per append (hot path)', decimals: 0 });
    ctx.figures.push({ section: 'round trips', name: 'handle: sequential round trips', stats: stats([handle.latencies]), unit: 'latencies', headline: 'round trips per handle (load + append)', decimals: 0 });
    ctx.figures.push({ section: 'round trips', name: 'load with a short tail: sequential round trips', stats: stats([load.latencies]), unit: 'latencies', headline: 'round trips per load (short tail)', decimals: 0 });
    ctx.figures.push({ section: 'round trips', name: 'load with a short tail: commands (sent together)', stats: stats([load.commands.length]), unit: 'commands', headline: 'commands per load (short tail)', decimals: 0 });
    return rows;
  } finally {
    await ctx.drop(db);
  }
}
