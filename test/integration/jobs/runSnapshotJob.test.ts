import { BSON, type CommandStartedEvent, type CommandSucceededEvent, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { AbortedError, ValidationError } from '../../../src/errors.js';
import { runSnapshotJob } from '../../../src/jobs/runSnapshotJob.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { addEvents, counterAggregate, instrument, sleep } from '../../support/snapshotJobHelpers.js';

const t = useChronicle(import.meta.filename);
const snapshotsOf = (streamId: string) => t.db.collection('snapshots').find({ streamId }).sort({ version: 1, schemaVersion: 1 }).toArray();
const runsOf = (scope: string) => t.db.collection('snapshot_job_runs').countDocuments({ scopes: scope });

describe('runSnapshotJob', () => {
  it('snapshots exactly the streams with at least `threshold` events since their latest snapshot', async () => {
    const agg = counterAggregate('edge');
    await addEvents(t.chronicle, 'edge-below', 9);
    await addEvents(t.chronicle, 'edge-exact', 10);
    await addEvents(t.chronicle, 'edge-above', 17, { perCommit: 4 });
    await addEvents(t.chronicle, 'other-1', 50);

    const first = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 2 });
    expect(first).toMatchObject({ streamsScanned: 3, snapshotsWritten: 2, skipped: 1, failed: [] });
    expect((await snapshotsOf('edge-below')).length).toBe(0);
    expect((await snapshotsOf('edge-exact')).map((s) => [s.version, s.state])).toEqual([[10, { total: 10, events: 10 }]]);
    expect((await snapshotsOf('edge-above')).map((s) => s.version)).toEqual([17]);
    // A type the job was not given is never snapshotted (and never read).
    expect((await snapshotsOf('other-1')).length).toBe(0);

    // Counting restarts at the snapshot: 9 more is one short, the 10th makes it due.
    await addEvents(t.chronicle, 'edge-exact', 9);
    await addEvents(t.chronicle, 'edge-below', 1);
    const second = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 2 });
    expect(second.snapshotsWritten).toBe(1);
    expect((await snapshotsOf('edge-below')).map((s) => s.version)).toEqual([10]);
    expect((await snapshotsOf('edge-exact')).map((s) => s.version)).toEqual([10]);

    await addEvents(t.chronicle, 'edge-exact', 1);
    const third = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 2 });
    expect(third.snapshotsWritten).toBe(1);
    expect((await snapshotsOf('edge-exact')).map((s) => s.version)).toEqual([10, 20]);
    expect(third.streamsScanned).toBe(third.snapshotsWritten + third.skipped + third.failed.length);
  });

  it('writes nothing when rerun, and records each completed run as its own checkpoint', async () => {
    const agg = counterAggregate('idem');
    for (let i = 0; i < 4; i++) await addEvents(t.chronicle, `idem-${i}`, 12, { perCommit: 12 });
    expect((await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 4 })).snapshotsWritten).toBe(4);
    const before = await t.db.collection('snapshots').countDocuments({ streamType: 'idem' });
    const again = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 4 });
    expect(again).toMatchObject({ snapshotsWritten: 0, failed: [] });
    expect(again.skipped).toBe(again.streamsScanned);
    const full = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 4, full: true });
    expect(full).toMatchObject({ streamsScanned: 4, snapshotsWritten: 0, skipped: 4 });
    expect(await t.db.collection('snapshots').countDocuments({ streamType: 'idem' })).toBe(before);
    expect(await runsOf('idem@1')).toBe(3);
  });

  it('discovers candidates from commits since the checkpoint and reads no old stream', async () => {
    const agg = counterAggregate('inc');
    for (let i = 0; i < 15; i++) await addEvents(t.chronicle, `inc-old${i}`, 12, { perCommit: 12 });
    const opts = { aggregates: [agg], threshold: 10, concurrency: 4, overlapMs: 100 };
    // Old means older than the overlap: commits just before a run are read again on purpose.
    await sleep(250);
    expect((await runSnapshotJob(t.chronicle, opts)).snapshotsWritten).toBe(15);
    await sleep(250);
    await addEvents(t.chronicle, 'inc-new', 12, { perCommit: 6 });
    await addEvents(t.chronicle, 'inc-old7', 10, { perCommit: 10 });

    const starts = new Map<number, Document>();
    const returned: { command: string; filter: Document | undefined; doc: Document }[] = [];
    const onStart = (e: CommandStartedEvent) => starts.set(e.requestId, e.command);
    const onSuccess = (e: CommandSucceededEvent) => {
      const cursor = (e.reply as { cursor?: { ns?: string; firstBatch?: Document[]; nextBatch?: Document[] } }).cursor;
      if (!cursor?.ns?.endsWith('.events')) return;
      for (const raw of cursor.firstBatch ?? cursor.nextBatch ?? []) {
        // Monitoring may hand over a batch's documents still as raw BSON.
        const doc = raw instanceof Uint8Array ? BSON.deserialize(raw) : raw;
        returned.push({ command: e.commandName, filter: starts.get(e.requestId)?.filter as Document | undefined, doc });
      }
    };
    t.client.on('commandStarted', onStart);
    t.client.on('commandSucceeded', onSuccess);
    let report;
    try {
      report = await runSnapshotJob(t.chronicle, opts);
    } finally {
      t.client.off('commandStarted', onStart);
      t.client.off('commandSucceeded', onSuccess);
    }
    expect(report).toMatchObject({ streamsScanned: 2, snapshotsWritten: 2, failed: [] });
    // Discovery returned exactly the three new commits, projected to streamId/streamType/version.
    const discovery = returned.filter((r) => JSON.stringify(r.filter ?? {}).includes('recordedAt'));
    expect(discovery.map((r) => r.doc.streamId).sort()).toEqual(['inc-new', 'inc-new', 'inc-old7']);
    expect(discovery.every((r) => Object.keys(r.doc).sort().join() === 'streamId,streamType,version')).toBe(true);
    // Nothing of the 14 untouched streams crossed the wire at all.
    expect(new Set(returned.map((r) => r.doc.streamId))).toEqual(new Set(['inc-new', 'inc-old7']));
    expect((await snapshotsOf('inc-old7')).map((s) => s.version)).toEqual([12, 22]);
  });

  it('never loads more streams at once than `concurrency`', async () => {
    const agg = counterAggregate('conc');
    for (let i = 0; i < 9; i++) await addEvents(t.chronicle, `conc-${i}`, 10, { perCommit: 10 });
    const three = instrument(t.chronicle, 40);
    const r = await runSnapshotJob(three.chronicle, { aggregates: [agg], threshold: 10, concurrency: 3 });
    expect(r.snapshotsWritten).toBe(9);
    expect(three.stats.maxInFlight).toBe(3);

    const one = instrument(t.chronicle, 5);
    await runSnapshotJob(one.chronicle, { aggregates: [agg], threshold: 1, concurrency: 1, full: true, keep: 1 });
    expect(one.stats.loads).toBe(0); // every stream is at its snapshot: nothing due, nothing loaded
    for (let i = 0; i < 6; i++) await addEvents(t.chronicle, `conc-${i}`, 1);
    await runSnapshotJob(one.chronicle, { aggregates: [agg], threshold: 1, concurrency: 1, keep: 1 });
    expect(one.stats.loads).toBe(6);
    expect(one.stats.maxInFlight).toBe(1);
    expect((await snapshotsOf('conc-0')).map((s) => s.version)).toEqual([11]);
  });

  it('reports a failing stream, keeps going with the others, and retries it next run', async () => {
    const agg = counterAggregate('fail');
    for (let i = 1; i <= 5; i++) await addEvents(t.chronicle, `fail-${i}`, 10, { boomAt: i === 3 ? 6 : undefined });
    // A commit edited by hand into something that no longer parses.
    await t.db.collection('events').insertOne({ _id: 'corrupt-commit' as never, streamId: 'fail-6', streamType: 'fail', prev: 0, version: 10, events: 'garbage', recordedAt: new Date() });

    const r = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 3, overlapMs: 0 });
    expect(r.snapshotsWritten).toBe(4);
    expect(r.failed.map((f) => f.streamId).sort()).toEqual(['fail-3', 'fail-6']);
    expect(r.failed.find((f) => f.streamId === 'fail-3')?.error).toMatch(/boom/);
    expect(r.failed.find((f) => f.streamId === 'fail-6')?.code).toBe('CORRUPT_DOCUMENT');

    await sleep(20);
    const retry = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 3, overlapMs: 0 });
    expect(retry).toMatchObject({ streamsScanned: 2, snapshotsWritten: 0, skipped: 0 });
    expect(retry.failed.map((f) => f.streamId).sort()).toEqual(['fail-3', 'fail-6']);
  });

  it('stops on abort: in-flight streams finish, the checkpoint stays, the next run completes the work', async () => {
    const agg = counterAggregate('abort');
    for (let i = 0; i < 10; i++) await addEvents(t.chronicle, `abort-${i}`, 10, { perCommit: 10 });
    const { chronicle, stats } = instrument(t.chronicle, 30);
    const controller = new AbortController();
    stats.onLoad = (n) => {
      if (n === 4) controller.abort();
    };
    await expect(runSnapshotJob(chronicle, { aggregates: [agg], threshold: 10, concurrency: 2, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(stats.inFlight).toBe(0);
    expect(stats.loads).toBe(4);
    expect(await runsOf('abort@1')).toBe(0);
    const written = await t.db.collection('snapshots').countDocuments({ streamType: 'abort' });
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThanOrEqual(4);

    const rest = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 4 });
    expect(rest).toMatchObject({ streamsScanned: 10, snapshotsWritten: 10 - written, skipped: written });
    await expect(runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1, signal: AbortSignal.abort() })).rejects.toThrow(/aborted before it started/);
  });

  it('is harmless when two instances run at once', async () => {
    const agg = counterAggregate('twice');
    for (let i = 0; i < 6; i++) await addEvents(t.chronicle, `twice-${i}`, 10, { perCommit: 10 });
    const [a, b] = await Promise.all([
      runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 3 }),
      runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 3 }),
    ]);
    expect(a.failed).toEqual([]);
    expect(b.failed).toEqual([]);
    expect(a.snapshotsWritten + b.snapshotsWritten).toBe(6);
    expect(await t.db.collection('snapshots').countDocuments({ streamType: 'twice' })).toBe(6);
  });

  it('rebuilds every stream of a type after a schemaVersion bump, by itself', async () => {
    await addEvents(t.chronicle, 'bump-1', 10);
    await addEvents(t.chronicle, 'bump-2', 3);
    expect((await runSnapshotJob(t.chronicle, { aggregates: [counterAggregate('bump', 1)], threshold: 5, concurrency: 2 })).snapshotsWritten).toBe(1);
    // Version 2 has no checkpoint yet: its first run considers every stream of the type.
    const v2 = await runSnapshotJob(t.chronicle, { aggregates: [counterAggregate('bump', 2)], threshold: 3, concurrency: 2, overlapMs: 0 });
    expect(v2).toMatchObject({ streamsScanned: 2, snapshotsWritten: 2 });
    expect((await snapshotsOf('bump-1')).map((s) => [s.schemaVersion, s.version])).toEqual([
      [1, 10],
      [2, 10],
    ]);
  });

  it('keeps the newest ten run records per scope, and never the last one of another scope', async () => {
    const [a, b] = [counterAggregate('keepa'), counterAggregate('keepb')];
    await runSnapshotJob(t.chronicle, { aggregates: [a, b], threshold: 1, concurrency: 1 });
    for (let i = 0; i < 11; i++) await runSnapshotJob(t.chronicle, { aggregates: [a], threshold: 1, concurrency: 1 });
    // Ten of a's own, plus the shared one that is still b's checkpoint.
    expect(await runsOf('keepa@1')).toBe(11);
    expect(await runsOf('keepb@1')).toBe(1);
  });

  it('rejects bad options before touching the database', async () => {
    const agg = counterAggregate('bad');
    const bad = [
      { aggregates: [], threshold: 1, concurrency: 1 },
      { aggregates: [agg], threshold: 0, concurrency: 1 },
      { aggregates: [agg], threshold: 1, concurrency: 'x' },
      { aggregates: [agg], threshold: 1, concurrency: 1, overlapMs: -1 },
      { aggregates: [agg, agg], threshold: 1, concurrency: 1 },
      { aggregates: [{ type: 'x' }], threshold: 1, concurrency: 1 },
    ];
    for (const o of bad) await expect(runSnapshotJob(t.chronicle, o as never)).rejects.toBeInstanceOf(ValidationError);
  });
});
