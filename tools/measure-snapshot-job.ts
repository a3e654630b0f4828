/**
 * One-off measurement for issue 5's closing note: how long one snapshot job run takes for N
 * streams that all need a snapshot, at each concurrency level, on the test server.
 *
 *   npx tsx tools/measure-snapshot-job.ts [--streams 10000] [--levels 1,8] [--threshold 10] [--budget 0]
 *
 * Starts its own server the way tests do (MONGODB_URI if set, else mongodb-memory-server, else
 * FerretDB), seeds N user streams of threshold + 2 events, one multi-event commit each, through
 * the raw event repository, then for each level deletes the snapshots and the job's checkpoints
 * and times one full run. Prints one JSON line per run on stdout; progress goes to stderr.
 *
 * `--budget S` aborts each run after S seconds and projects the full duration from the streams
 * done by then. That is what makes 10,000 streams measurable on FerretDB: its SQLite backend
 * answers every per-stream read by scanning the whole collection, so with all streams seeded up
 * front each load costs about the same from the first stream to the last, and a full run would
 * take many hours.
 */
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import pLimit from 'p-limit';
import { createChronicle } from '../src/chronicle.js';
import { userAggregate } from '../src/domain/index.js';
import { runSnapshotJob } from '../src/jobs/runSnapshotJob.js';
import { startEmbeddedServer, describeServer } from '../src/server/embeddedServer.js';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '10000' },
    levels: { type: 'string', default: '1,8' },
    threshold: { type: 'string', default: '10' },
    budget: { type: 'string', default: '0' },
  },
});
const streams = Number(values.streams);
const levels = values.levels.split(',').map(Number);
const threshold = Number(values.threshold);
const budgetMs = Number(values.budget) * 1000;
const log = (msg: string) => process.stderr.write(`[measure] ${msg}\n`);

const external = process.env.MONGODB_URI;
const server = external ? null : await startEmbeddedServer({ log });
const uri = external ?? server?.uri ?? '';
const info = await describeServer(uri);
log(`server: ${info.description}`);
const client = new MongoClient(uri);
await client.connect();
const db = client.db(`measure_snapshot_job_${streams}`);
try {
  await db.dropDatabase();
  const chronicle = createChronicle(db);
  await chronicle.migrate();

  const events = [
    { type: 'UserCreated', data: { name: 'Someone', email: 'someone@example.com' } },
    ...Array.from({ length: threshold + 1 }, (_, i) => ({ type: 'CookiesSet', data: { cookies: i + 1 } })),
  ];
  const t0 = Date.now();
  const limit = pLimit(8);
  let seeded = 0;
  await Promise.all(
    Array.from({ length: streams }, (_, i) =>
      limit(async () => {
        await chronicle.events.append(`user-m${i}`, events, { expectedVersion: 0, streamType: 'user' });
        if (++seeded % 1000 === 0) log(`seeded ${seeded}/${streams}`);
      }),
    ),
  );
  log(`seeded ${streams} streams × ${events.length} events in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  for (const concurrency of levels) {
    await db.collection('snapshots').deleteMany({});
    await db.collection('snapshot_job_runs').deleteMany({});
    const started = Date.now();
    let lastLog = started;
    let loadsStartedAt = 0;
    let done = 0;
    const controller = new AbortController();
    const timer = budgetMs > 0 ? setTimeout(() => controller.abort(), budgetMs) : undefined;
    const base = { server: info.description, streams, eventsPerStream: events.length, threshold, concurrency };
    try {
      const report = await runSnapshotJob(chronicle, {
        aggregates: [userAggregate],
        threshold,
        concurrency,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.total > 0 && loadsStartedAt === 0) loadsStartedAt = Date.now();
          done = p.done;
          if (Date.now() - lastLog > 30_000) {
            lastLog = Date.now();
            log(`concurrency ${concurrency}: ${p.done}/${p.total} after ${((lastLog - started) / 1000).toFixed(0)} s`);
          }
        },
      });
      const seconds = (Date.now() - started) / 1000;
      if (report.snapshotsWritten !== streams || report.failed.length > 0) throw new Error(`unexpected report: ${JSON.stringify({ ...report, failed: report.failed.slice(0, 3) })}`);
      process.stdout.write(`${JSON.stringify({ ...base, seconds, streamsPerSecond: Math.round((streams / seconds) * 10) / 10 })}\n`);
    } catch (err) {
      if (!controller.signal.aborted) throw err;
      // Discovery and lookups happen once; the per-stream part is projected from its rate so far.
      const now = Date.now();
      const setupSeconds = (loadsStartedAt - started) / 1000;
      const perStream = (now - loadsStartedAt) / 1000 / Math.max(1, done);
      const projected = setupSeconds + perStream * streams;
      process.stdout.write(`${JSON.stringify({ ...base, budgetSeconds: budgetMs / 1000, streamsDone: done, setupSeconds, secondsPerStream: Math.round(perStream * 1000) / 1000, projectedSeconds: Math.round(projected), projectedHours: Math.round((projected / 3600) * 10) / 10 })}\n`);
    } finally {
      clearTimeout(timer);
    }
  }
} finally {
  await db.dropDatabase().catch(() => {});
  await client.close();
  await server?.stop();
}
