import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { runSnapshotJob } from '../../../src/jobs/runSnapshotJob.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { addEvents, counterAggregate } from '../../support/snapshotJobHelpers.js';

const t = useChronicle(import.meta.filename);
const snapshotCount = (streamId: string) => t.db.collection('snapshots').countDocuments({ streamId });

describe('snapshot job: one bad stream fails alone', () => {
  it('a stream id longer than an aggregate id (valid as a stream id) fails with its own error; its batch neighbours are snapshotted', async () => {
    const agg = counterAggregate('lng');
    const normal = Array.from({ length: 20 }, (_, i) => `lng-${String(i).padStart(2, '0')}`);
    for (const id of normal) await addEvents(t.chronicle, id, 12, { perCommit: 12 });
    const longId = `lng-${'z'.repeat(220)}`; // 224 characters: streams allow 256, aggregate ids 200
    await addEvents(t.chronicle, longId, 12, { perCommit: 12 });

    const run = await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    expect(run.snapshotsWritten).toBe(20);
    expect(run.failed).toHaveLength(1);
    expect(run.failed[0]).toMatchObject({ streamId: longId, code: 'VALIDATION' });
    expect(run.failed[0]?.error).toMatch(/aggregate id: must be at most 200 characters/);
    for (const id of normal) expect(await snapshotCount(id)).toBe(1);
  });

  it('loadMany maps an id it cannot load to its own error and loads the others', async () => {
    const repo = t.chronicle.aggregate(counterAggregate('lng'));
    const loaded = await repo.loadMany(['00', 'y'.repeat(201), '', '01']);
    expect(loaded.get('00')).toMatchObject({ version: 12 });
    expect(loaded.get('01')).toMatchObject({ version: 12 });
    expect(loaded.get('y'.repeat(201))).toBeInstanceOf(ValidationError);
    expect(loaded.get('')).toBeInstanceOf(ValidationError);
  });
});
