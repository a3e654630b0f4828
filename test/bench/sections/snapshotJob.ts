/**
 * 4. The snapshot job over many streams that each need a snapshot, at concurrency 1, 4 and 8.
 * The streams are seeded once (one commit of `THRESHOLD` events each, inserted in bulk); before
 * every run the snapshots and the job's checkpoints are deleted, so each run has the same work.
 * Concurrency levels alternate within each round.
 */
import { todoListAggregate } from '../../../src/domain/index.js';
import { runSnapshotJob } from '../../../src/jobs/runSnapshotJob.js';
import type { CommitDocument } from '../../../src/events/commitDocument.js';
import type { BenchContext } from '../lib/context.js';
import { now, ratios, stats } from '../lib/harness.js';
import { commitDocument, historySlice } from '../lib/workload.js';

const LEVELS = [1, 4, 8] as const;

/** Streams, events per stream (= the threshold) and rounds for this server and mode. */
export function snapshotJobSize(ctx: Pick<BenchContext, 'mode' | 'isFerretDb'>): { streams: number; threshold: number; runs: number } {
  // FerretDB's SQLite backend answers every per-stream query by scanning the whole collection,
  // so a job's cost there grows with streams × collection size: 10,000 streams would take hours.
  if (ctx.isFerretDb) return ctx.mode === 'quick' ? { streams: 200, threshold: 5, runs: 2 } : { streams: 1_000, threshold: 10, runs: 3 };
  return ctx.mode === 'quick' ? { streams: 500, threshold: 10, runs: 2 } : { streams: 10_000, threshold: 10, runs: 3 };
}

export async function benchSnapshotJob(ctx: BenchContext): Promise<void> {
  const { streams, threshold: THRESHOLD, runs } = snapshotJobSize(ctx);
  if (streams < 10_000) {
    ctx.notes.push(
      `snapshot job: ${streams.toLocaleString('en-US')} streams instead of 10,000${ctx.mode === 'quick' ? ' (quick mode)' : ''}` +
        (ctx.isFerretDb ? ': on FerretDB every query of the job scans the whole collection it reads, so a run costs O(batches × collection) there' : ''),
    );
  }
  const { db, chronicle } = await ctx.freshChronicle('snapjob');
  try {
    const col = db.collection<CommitDocument>('events');
    const t0 = now();
    for (let i = 0; i < streams; i += 1_000) {
      const docs = Array.from({ length: Math.min(1_000, streams - i) }, (_, k) => commitDocument(`todos-j${i + k}`, 0, historySlice(0, THRESHOLD)));
      await col.insertMany(docs, { writeConcern: { w: 'majority', j: true } });
    }
    ctx.log(`snapshot job: seeded ${streams} streams × ${THRESHOLD} events in ${((now() - t0) / 1000).toFixed(1)} s`);

    const rates = new Map<number, number[]>(LEVELS.map((c) => [c, []]));
    for (let run = 0; run < runs; run++) {
      const order = LEVELS.map((_, i) => LEVELS[(i + run) % LEVELS.length] as number);
      for (const concurrency of order) {
        await db.collection('snapshots').deleteMany({});
        await db.collection('snapshot_job_runs').deleteMany({});
        const t = now();
        const report = await runSnapshotJob(chronicle, { aggregates: [todoListAggregate], threshold: THRESHOLD, concurrency, full: true });
        const ms = now() - t;
        if (report.snapshotsWritten !== streams || report.failed.length > 0) {
          throw new Error(`snapshot job wrote ${report.snapshotsWritten} of ${streams} snapshots; failed: ${JSON.stringify(report.failed.slice(0, 3))}`);
        }
        rates.get(concurrency)?.push(streams / (ms / 1000));
        ctx.log(`snapshot job: run ${run + 1}/${runs}, concurrency ${concurrency}: ${(ms / 1000).toFixed(1)} s`);
      }
    }
    const section = `snapshot job (${streams.toLocaleString('en-US')} streams × ${THRESHOLD} events, threshold ${THRESHOLD})`;
    for (const c of LEVELS) ctx.figures.push({ section, name: `concurrency ${c}`, stats: stats(rates.get(c) ?? []), unit: 'streams/s', headline: `snapshot job streams/s (concurrency ${c})`, decimals: 0 });
    ctx.figures.push({ section, name: 'speed-up, concurrency 4 / 1', stats: stats(ratios(rates.get(4) ?? [], rates.get(1) ?? [])), unit: '×', decimals: 2 });
    ctx.figures.push({ section, name: 'speed-up, concurrency 8 / 1', stats: stats(ratios(rates.get(8) ?? [], rates.get(1) ?? [])), unit: '×', note: 'target ≥ 3', headline: 'snapshot job speed-up (8 vs 1)', decimals: 2 });
  } finally {
    await ctx.drop(db);
  }
}
