/**
 * 6. The global log: how fast the sequencer numbers commits against how fast 8 writers append
 * them, how long an acknowledged append waits for its position under steady load, and what a
 * running sequencer costs the hot path (append ratio vs the raw driver, each in its own fresh
 * database, chunks alternating).
 */
import type { CommitDocument } from '../../../src/events/commitDocument.js';
import { createSequencer } from '../../../src/log/sequencer.js';
import type { BenchContext } from '../lib/context.js';
import { now, ratios, runConcurrent, stats } from '../lib/harness.js';
import { commitDocument, createdEvent } from '../lib/workload.js';

const WRITERS = 8;
const STREAMS_PER_WRITER = 25;
const CHUNKS = 10;
const WRITE_CONCERN = { w: 'majority' as const, j: true };

/** An appender over `store` where each writer owns its streams and knows their versions. */
function appender(append: (streamId: string, version: number, n: number) => Promise<void>) {
  const versions = new Map<string, number>();
  const counters = new Array<number>(WRITERS).fill(0);
  return async (w: number) => {
    const n = counters[w] ?? 0;
    counters[w] = n + 1;
    const streamId = `todos-${w}x${n % STREAMS_PER_WRITER}`;
    const version = versions.get(streamId) ?? 0;
    await append(streamId, version, n);
    versions.set(streamId, version + 1);
  };
}

export async function benchLog(ctx: BenchContext): Promise<void> {
  const quick = ctx.mode === 'quick';
  const runs = quick ? 2 : 4;
  const backlog = quick ? 200 : 1000;
  const section = `log: sequencer vs ${WRITERS} writers (${backlog} single-event commits)`;

  // 1. Throughput: 8 writers append a backlog with no sequencer, then one sequencer numbers it.
  const appendRates: number[] = [];
  const numberRates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const { db, events } = await ctx.freshChronicle(`log_tp_${run}`);
    try {
      const op = appender((streamId, version, n) => events.appendAtKnownVersion(streamId, [createdEvent(n)], { expectedVersion: version, streamType: 'todos' }).then(() => {}));
      const ms = await runConcurrent(backlog, WRITERS, (w) => op(w));
      appendRates.push(backlog / (ms / 1000));
      ctx.log(`log: run ${run + 1}: ${backlog} appends by ${WRITERS} writers in ${ms.toFixed(0)} ms; numbering them…`);
      const seq = createSequencer(db, { lease: false });
      const t0 = now();
      const numbered = await seq.drain();
      numberRates.push(numbered / ((now() - t0) / 1000));
      ctx.log(`log: run ${run + 1}: numbered ${numbered} in ${(now() - t0).toFixed(0)} ms`);
    } finally {
      await ctx.drop(db);
    }
  }
  ctx.figures.push({ section, name: `append throughput, ${WRITERS} writers (no sequencer)`, stats: stats(appendRates), unit: 'commits/s' });
  ctx.figures.push({ section, name: 'sequencer throughput (numbering that backlog)', stats: stats(numberRates), unit: 'commits/s', headline: 'sequencer throughput (commits/s)', decimals: 0 });
  ctx.figures.push({
    section,
    name: 'ratio sequencer / 8 writers',
    stats: stats(ratios(numberRates, appendRates)),
    unit: '×',
    note: 'target >= 2: the sequencer keeps up',
    headline: 'sequencer / append throughput',
    decimals: 2,
  });

  // 2. Latency: writers at about half their top rate, sequencer running; time from append
  // acknowledgement to position inserted (taken in the sequencer's hook, so no polling adds load).
  const p50: number[] = [];
  const p99: number[] = [];
  const targetRate = (stats(appendRates).median || 100) / 2;
  const steady = quick ? 200 : 800;
  for (let run = 0; run < runs; run++) {
    const { db, events } = await ctx.freshChronicle(`log_lat_${run}`);
    const acked = new Map<string, number>();
    const numberedAt = new Map<string, number>();
    const seq = createSequencer(db, {
      lease: false,
      afterPositions: async (positions) => {
        const t = now();
        for (const p of positions) numberedAt.set(p.commitId, t);
      },
    });
    seq.start();
    try {
      const op = appender(async (streamId, version, n) => {
        const r = await events.appendAtKnownVersion(streamId, [createdEvent(n)], { expectedVersion: version, streamType: 'todos' });
        acked.set(r.commitId, now());
      });
      const t0 = now();
      await runConcurrent(steady, WRITERS, async (w, i) => {
        // Paced: operation i starts no earlier than i / rate.
        const due = t0 + (i / targetRate) * 1000;
        const wait = due - now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await op(w);
      });
      for (let waited = 0; numberedAt.size < acked.size && waited < 30_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await seq.stop();
      await ctx.drop(db);
    }
    ctx.log(`log: latency run ${run + 1}: ${numberedAt.size}/${acked.size} numbered`);
    const lat = [...acked].map(([id, t]) => Math.max(0, (numberedAt.get(id) ?? Number.POSITIVE_INFINITY) - t)).sort((a, b) => a - b);
    p50.push(lat[Math.floor(lat.length * 0.5)] ?? Number.NaN);
    p99.push(lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))] ?? Number.NaN);
  }
  const latSection = `log: append acknowledged → position inserted (${WRITERS} writers paced at ~${Math.round(targetRate)} commits/s, sequencer in the same process)`;
  ctx.figures.push({ section: latSection, name: 'latency median', stats: stats(p50), unit: 'ms', headline: 'append → position latency median (ms)', decimals: 1 });
  ctx.figures.push({ section: latSection, name: 'latency p99', stats: stats(p99), unit: 'ms', note: 'target < 100 ms on a local server', headline: 'append → position latency p99 (ms)', decimals: 1 });

  // 3. The hot path with a sequencer running vs the raw driver (no sequencer), chunks alternating.
  const perRun = quick ? 200 : 600;
  const driverRates: number[] = [];
  const chronicleRates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const a = await ctx.freshChronicle(`log_drv_${run}`);
    const b = await ctx.freshChronicle(`log_seq_${run}`);
    const seq = createSequencer(b.db, { lease: false });
    seq.start();
    try {
      const col = a.db.collection<CommitDocument>('events');
      const driverOp = appender((streamId, version, n) => col.insertOne(commitDocument(streamId, version, [createdEvent(n)]), { writeConcern: WRITE_CONCERN }).then(() => {}));
      const chronicleOp = appender((streamId, version, n) => b.events.appendAtKnownVersion(streamId, [createdEvent(n)], { expectedVersion: version, streamType: 'todos' }).then(() => {}));
      const elapsed = [0, 0];
      const perChunk = Math.ceil(perRun / CHUNKS);
      for (let chunk = 0; chunk < CHUNKS; chunk++) {
        const order = (chunk + run) % 2 === 0 ? [0, 1] : [1, 0];
        for (const i of order) elapsed[i] = (elapsed[i] ?? 0) + (await runConcurrent(perChunk, WRITERS, (w) => (i === 0 ? driverOp(w) : chronicleOp(w))));
      }
      ctx.log(`log: hot-path run ${run + 1} done`);
      driverRates.push((perChunk * CHUNKS) / ((elapsed[0] ?? 1) / 1000));
      chronicleRates.push((perChunk * CHUNKS) / ((elapsed[1] ?? 1) / 1000));
    } finally {
      await seq.stop();
      await ctx.drop(a.db);
      await ctx.drop(b.db);
    }
  }
  const hotSection = `log: hot-path appends with the sequencer running (${perRun} appends, ${WRITERS} writers)`;
  ctx.figures.push({ section: hotSection, name: 'raw driver insertOne (no sequencer)', stats: stats(driverRates), unit: 'commits/s' });
  ctx.figures.push({ section: hotSection, name: 'Chronicle hot-path append, sequencer numbering meanwhile', stats: stats(chronicleRates), unit: 'commits/s' });
  ctx.figures.push({
    section: hotSection,
    name: 'ratio Chronicle (sequencer running) / driver',
    stats: stats(ratios(chronicleRates, driverRates)),
    unit: '×',
    note: 'target >= 0.9: numbering must not slow the hot path',
    headline: 'append ratio vs driver with the sequencer running',
    decimals: 2,
  });
}
