/**
 * 7. Projections: events per second through `todoSummaryProjection` catching up on a backlog,
 * against the raw driver doing the same reads (positions, commits, touched documents by `$in`)
 * and the same final writes (one insert or replace per document per batch, a checkpoint);
 * and the delay from `handle` returning to `waitFor` resolving under steady load.
 */
import { Long, type AnyBulkWriteOperation, type Db, type Document } from 'mongodb';
import { todoSummaryProjection } from '../../../src/domain/projections/todoSummaryProjection.js';
import { todoListAggregate } from '../../../src/domain/todos/todoListAggregate.js';
import { createSequencer } from '../../../src/log/sequencer.js';
import { createProjectionRunner } from '../../../src/projections/projectionRunner.js';
import type { ProjectionEvent } from '../../../src/projections/types.js';
import type { BenchContext } from '../lib/context.js';
import { now, ratios, stats } from '../lib/harness.js';
import { commitDocument, historySlice } from '../lib/workload.js';

const LISTS = 200;
const EVENTS_PER_COMMIT = 10;
const BATCH = 1000;
// FerretDB 1.24 hangs on an update command of 100 statements or more: both sides chunk.
const CHUNK = 50;

/** Writes `events` todo events as numbered commits (raw inserts: setup, not measured). */
async function seed(db: Db, events: number): Promise<void> {
  const commits = events / EVENTS_PER_COMMIT;
  const versions = new Array<number>(LISTS).fill(0);
  for (let from = 0; from < commits; from += 500) {
    const docs = [];
    const positions = [];
    for (let i = from; i < Math.min(commits, from + 500); i++) {
      const list = i % LISTS;
      const doc = { ...commitDocument(`todos-l${list}`, versions[list]!, historySlice(versions[list]!, EVENTS_PER_COMMIT)), position: Long.fromNumber(i + 1) as unknown as number };
      versions[list]! += EVENTS_PER_COMMIT;
      docs.push(doc);
      positions.push({ _id: Long.fromNumber(i + 1), commitId: doc._id, streamId: doc.streamId, version: doc.version, recordedAt: doc.recordedAt });
    }
    await db.collection('events').insertMany(docs as never[]);
    await db.collection('positions').insertMany(positions as never[]);
  }
}

/** The baseline: the runner's reads and final writes, by hand, with the same pure evolve. */
async function rawCatchUp(db: Db): Promise<number> {
  const positions = db.collection<{ _id: number; commitId: string }>('positions');
  const events = db.collection<Document>('events');
  const col = db.collection<Document>('raw_todo_summaries');
  let after = 0;
  let applied = 0;
  for (;;) {
    const ps = await positions.find({ _id: { $gt: after, $lte: after + BATCH } }).sort({ _id: 1 }).toArray();
    if (ps.length === 0) return applied;
    const commits = new Map((await events.find({ _id: { $in: ps.map((p) => p.commitId) } } as Document).toArray()).map((c) => [String(c._id), c]));
    const ids = [...new Set(ps.map((p) => String(commits.get(p.commitId)!.streamId)))];
    const stored = new Map((await col.find({ _id: { $in: ids } } as Document).toArray()).map((d) => [String(d._id), d]));
    const next = new Map<string, { doc: Document; position: number; existed: boolean }>();
    for (const p of ps) {
      const c = commits.get(p.commitId)!;
      const position = Number(p._id);
      for (const e of c.events as { type: string; data: unknown; version: number }[]) {
        const id = String(c.streamId);
        const cur = next.get(id) ?? { doc: stored.get(id) ?? null, position: 0, existed: stored.has(id) };
        const event = { ...e, streamId: id, streamType: 'todos', position, recordedAt: c.recordedAt } as unknown as ProjectionEvent;
        const doc = todoSummaryProjection.evolve(cur.doc as never, event as never, id);
        next.set(id, { doc: doc!, position, existed: cur.existed });
        applied++;
      }
    }
    const ops: AnyBulkWriteOperation<Document>[] = [...next].map(([id, n]) => {
      const { _id, _position, ...fields } = n.doc;
      void _id;
      void _position;
      const op = n.existed ? { replaceOne: { filter: { _id: id, _position: { $lt: n.position } }, replacement: { ...fields, _position: n.position } } } : { insertOne: { document: { _id: id, ...fields, _position: n.position } } };
      return op as unknown as AnyBulkWriteOperation<Document>;
    });
    for (let i = 0; i < ops.length; i += CHUNK) await col.bulkWrite(ops.slice(i, i + CHUNK), { ordered: false, writeConcern: { w: 'majority', j: true } });
    after = Number(ps[ps.length - 1]!._id);
    await db.collection<Document>('raw_checkpoints').updateOne({ _id: 'todo' } as Document, { $set: { position: after } }, { upsert: true });
  }
}

export async function benchProjections(ctx: BenchContext): Promise<void> {
  const quick = ctx.mode === 'quick';
  const runs = quick ? 2 : 3;
  const backlog = quick ? 4_000 : 20_000;
  const section = `projections: todoSummaryProjection catching up on ${backlog} events (${LISTS} lists, ${EVENTS_PER_COMMIT} events per commit, batches of ${BATCH} commits)`;
  if (!quick) ctx.notes.push(`projections: the catch-up backlog is ${backlog} events rather than issue 11's 100,000, so the section fits a shared two-core machine. On FerretDB the log's range read by position scans the positions collection (only equality is pushed down), so the rate falls as the backlog grows, for the raw driver and Chronicle alike: compare the ratio.`);

  const chronicleRates: number[] = [];
  const driverRates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const { db } = await ctx.freshChronicle(`proj_tp_${run}`);
    try {
      await seed(db, backlog);
      // Alternate which goes first, so neither always meets a warmer server.
      const measure = async (which: 'chronicle' | 'driver') => {
        const t0 = now();
        if (which === 'chronicle') await createProjectionRunner(db, todoSummaryProjection, { lease: false, batchSize: BATCH }).drain();
        else await rawCatchUp(db);
        (which === 'chronicle' ? chronicleRates : driverRates).push(backlog / ((now() - t0) / 1000));
      };
      for (const which of run % 2 === 0 ? (['chronicle', 'driver'] as const) : (['driver', 'chronicle'] as const)) await measure(which);
    } finally {
      await ctx.drop(db);
    }
  }
  ctx.figures.push({ section, name: 'raw driver (same reads, same final writes)', stats: stats(driverRates), unit: 'events/s' });
  ctx.figures.push({ section, name: 'Chronicle runner', stats: stats(chronicleRates), unit: 'events/s', headline: 'projection catch-up (events/s)', decimals: 0 });
  ctx.figures.push({ section, name: 'ratio Chronicle / raw driver', stats: stats(ratios(chronicleRates, driverRates)), unit: '×', note: 'target >= 0.5', headline: 'projection catch-up / raw driver', decimals: 2 });

  // Read your writes: writers each `handle` a command then `waitFor` its commit, with the
  // sequencer and the runner running in this process (woken in-process, polling as well).
  const writers = 4;
  const perWriter = quick ? 15 : 50;
  const p50: number[] = [];
  const p99: number[] = [];
  for (let run = 0; run < runs; run++) {
    const { db, chronicle } = await ctx.freshChronicle(`proj_rw_${run}`);
    const seq = createSequencer(db, { lease: false, batchSize: 90 });
    const runner = createProjectionRunner(db, todoSummaryProjection, { lease: false });
    seq.start();
    runner.start();
    const delays: number[] = [];
    try {
      const todos = chronicle.aggregate(todoListAggregate);
      const handle = chronicle.projection(todoSummaryProjection);
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < perWriter; i++) {
            const r = await todos.handle(`rw${w}`, { type: 'CreateTodo', todoId: `t${i}`, text: `item ${i}` });
            const t0 = now();
            await handle.waitFor(r.commitId!, { timeoutMs: 30_000 });
            delays.push(now() - t0);
          }
        }),
      );
    } finally {
      await runner.stop();
      await seq.stop();
      await ctx.drop(db);
    }
    delays.sort((a, b) => a - b);
    p50.push(delays[Math.floor(delays.length * 0.5)] ?? Number.NaN);
    p99.push(delays[Math.min(delays.length - 1, Math.floor(delays.length * 0.99))] ?? Number.NaN);
  }
  const rwSection = `projections: handle → waitFor resolved (${writers} writers, each handle then waitFor, sequencer and runner in the same process)`;
  ctx.figures.push({ section: rwSection, name: 'delay median', stats: stats(p50), unit: 'ms', headline: 'handle → waitFor median (ms)', decimals: 1 });
  ctx.figures.push({ section: rwSection, name: 'delay p99', stats: stats(p99), unit: 'ms', headline: 'handle → waitFor p99 (ms)', decimals: 1 });
}
