import { MongoNetworkError } from 'mongodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { internals } from '../../../src/chronicle.js';
import { runSnapshotJob } from '../../../src/jobs/runSnapshotJob.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { addEvents, counterAggregate, sleep } from '../../support/snapshotJobHelpers.js';

const t = useChronicle(import.meta.filename);
const snapshotCount = (streamId: string) => t.db.collection('snapshots').countDocuments({ streamId });
const DAY = 24 * 3600_000;

afterEach(() => {
  vi.useRealTimers();
});

describe('snapshot job discovery over time', () => {
  it('finds a commit whose first insert attempt stalled for longer than the overlap: each attempt is stamped anew', async () => {
    const agg = counterAggregate('slow');
    const overlapMs = 200; // stands in for the default 120 s
    await addEvents(t.chronicle, 'slow-warm', 1);
    await sleep(overlapMs + 100);
    await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1, overlapMs });
    // The first attempt hangs on a dead connection and fails; the append's own retry lands it.
    const col = internals.get(t.chronicle)!.events.collection;
    const insertOne = col.insertOne.bind(col);
    let attempts = 0;
    const stalled = vi.spyOn(col, 'insertOne').mockImplementation(async (...args) => {
      if (++attempts === 1) {
        await sleep(1500);
        throw new MongoNetworkError('socket timed out');
      }
      return insertOne(...args);
    });
    const appending = t.chronicle.events.append('slow-x', Array.from({ length: 12 }, () => ({ type: 'Added', data: { by: 1 } })), { expectedVersion: 0 });
    await sleep(300);
    // A run while the insert is in flight cannot see it, and moves the checkpoint past its first stamp.
    expect((await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1, overlapMs })).streamsScanned).toBe(0);
    await appending;
    stalled.mockRestore();
    expect(attempts).toBe(2);
    const later = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1, overlapMs });
    expect(later.snapshotsWritten).toBe(1);
    expect(await snapshotCount('slow-x')).toBe(1);
  });

  it('records the server time as the checkpoint: a run on a host whose clock is a day fast does not blind later runs', async () => {
    const agg = counterAggregate('skew');
    await addEvents(t.chronicle, 'skew-warm', 1);
    await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + DAY);
    await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    vi.useRealTimers();
    const [run] = await t.db.collection('snapshot_job_runs').find({ scopes: 'skew@1' }).sort({ startedAt: -1 }).limit(1).toArray();
    expect(Math.abs((run?.startedAt as Date).getTime() - Date.now())).toBeLessThan(60_000);
    await addEvents(t.chronicle, 'skew-a', 12, { perCommit: 12 });
    const r = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    expect(r.snapshotsWritten).toBe(1);
    expect(await snapshotCount('skew-a')).toBe(1);
  });

  it('never trusts a checkpoint from the future (written by an older version or a server whose clock jumped back)', async () => {
    const agg = counterAggregate('fut');
    await addEvents(t.chronicle, 'fut-warm', 1);
    await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    const future = new Date(Date.now() + DAY);
    await t.db.collection('snapshot_job_runs').insertOne({
      _id: 'from-the-future' as never, scopes: ['fut@1'], startedAt: future, finishedAt: future, full: false, streamsScanned: 0, snapshotsWritten: 0, skipped: 0, failedStreams: [],
    });
    await addEvents(t.chronicle, 'fut-a', 12, { perCommit: 12 });
    const r = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    expect(r.snapshotsWritten).toBe(1);
    // The next run prunes the record from the future, so it cannot crowd out real checkpoints.
    expect(await t.db.collection('snapshot_job_runs').countDocuments({ _id: 'from-the-future' as never })).toBe(0);
  });
});
