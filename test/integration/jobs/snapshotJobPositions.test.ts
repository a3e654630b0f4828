import { afterEach, describe, expect, it, vi } from 'vitest';
import { runSnapshotJob } from '../../../src/jobs/runSnapshotJob.js';
import { createSequencer } from '../../../src/log/sequencer.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { addEvents, counterAggregate } from '../../support/snapshotJobHelpers.js';

const t = useChronicle(import.meta.filename);

describe('snapshot job discovery on the global log', () => {
  afterEach(() => vi.useRealTimers());

  it('without positions keeps the time window; once numbered, reads positions after its checkpoint and finds a commit stamped long before it landed', async () => {
    const agg = counterAggregate('cnt');
    await addEvents(t.chronicle, 'cnt-a', 12);
    // No sequencer ran yet: discovery by time, and the run records no position.
    const first = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    expect(first.snapshotsWritten).toBe(1);
    expect((await t.db.collection('snapshot_job_runs').find().sort({ startedAt: -1 }).limit(1).next())?.position).toBeUndefined();

    const seq = createSequencer(t.db, { lease: false });
    await seq.drain();
    const second = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    expect(second.streamsScanned).toBe(1);
    const head = await t.chronicle.log.head();
    expect((await t.db.collection('snapshot_job_runs').find().sort({ startedAt: -1 }).limit(1).next())?.position).toBe(head);

    // A stalled append: stamped an hour ago (far outside the 2-minute overlap), landing now.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 3_600_000 });
    await addEvents(t.chronicle, 'cnt-b', 12, { perCommit: 12 });
    vi.useRealTimers();
    await seq.drain();
    const third = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    // Exactly the stream numbered since the checkpoint position: cnt-b, not cnt-a again.
    expect(third).toMatchObject({ streamsScanned: 1, snapshotsWritten: 1 });
    expect(await t.chronicle.snapshots.latest('cnt-b')).toMatchObject({ version: 12 });
    const fourth = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    expect(fourth.streamsScanned).toBe(0);
  });

  it('numbers pending commits itself once the database is numbered, so a job run from cron without a worker still finds new work', async () => {
    const agg = counterAggregate('solo');
    await addEvents(t.chronicle, 'solo-a', 3);
    await createSequencer(t.db, { lease: false }).drain();
    await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    // No sequencer runs from here on: these commits stay un-numbered until the job numbers them.
    await addEvents(t.chronicle, 'solo-b', 12);
    expect((await t.chronicle.log.pending()).count).toBeGreaterThan(0);
    const run = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    expect(run).toMatchObject({ streamsScanned: 1, snapshotsWritten: 1 });
    expect(await t.chronicle.snapshots.latest('solo-b')).toMatchObject({ version: 12 });
    expect((await t.chronicle.log.pending()).count).toBe(0);
  });
});
