import type { CommandStartedEvent, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { CorruptDocumentError } from '../../../src/errors.js';
import { runSnapshotJob } from '../../../src/jobs/runSnapshotJob.js';
import { countRoundTrips, useChronicle } from '../../support/chronicleFixture.js';
import { addEvents, counterAggregate, recordingLogger, type CounterState } from '../../support/snapshotJobHelpers.js';

const logger = recordingLogger();
const t = useChronicle(import.meta.filename, { logger });
const replayOf = async (streamId: string): Promise<CounterState> =>
  (await t.chronicle.events.read(streamId)).reduce((s, e) => ({ total: s.total + (e.data as { by: number }).by, events: s.events + 1 }), { total: 0, events: 0 });
const warnings = (streamId: string) => logger.lines.filter((l) => l.level === 'warn' && (l.obj as { streamId?: string }).streamId === streamId).map((l) => l.msg);
/** Deletes the commit that starts after `prev`, as a replica-set rollback or a restore of an older `events` dump would. */
const rollBack = (streamId: string, prev: number) => t.db.collection('events').deleteOne({ streamId, prev });

describe('snapshots ahead of their stream or off a commit boundary (load and loadMany share the rule)', () => {
  it('ignores a snapshot inside a commit and one ahead of the stream, on every load path', async () => {
    const agg = counterAggregate('nb');
    const repo = t.chronicle.aggregate(agg);
    await addEvents(t.chronicle, 'nb-1', 3, { perCommit: 3 });
    await addEvents(t.chronicle, 'nb-1', 2, { perCommit: 2 });
    await t.chronicle.snapshots.save({ streamId: 'nb-1', version: 4, schemaVersion: 1, state: { total: 400, events: 4 } });
    expect(await repo.load('1')).toMatchObject({ version: 5, state: { total: 5, events: 5 }, snapshotVersion: null });
    expect(await repo.load('1')).toMatchObject({ version: 5, state: { total: 5, events: 5 } });
    expect(warnings('nb-1')).toContain('ignoring a snapshot inside a commit, not at a commit boundary');
    expect((await repo.handle('1', { type: 'Add', by: 1 })).version).toBe(6);

    // Saved through the public API at 60 while the stream is at 6.
    await t.chronicle.snapshots.save({ streamId: 'nb-1', version: 60, schemaVersion: 1, state: { total: 60, events: 60 } });
    for (const loaded of [await repo.load('1'), await t.chronicle.aggregate(agg).load('1'), (await repo.loadMany(['1'])).get('1')]) {
      expect(loaded).toMatchObject({ version: 6, state: { total: 6, events: 6 } });
    }
    expect(warnings('nb-1').some((m) => m.startsWith('ignoring a snapshot ahead of its stream'))).toBe(true);
  });
});

describe('snapshot lineage', () => {
  it('the snapshot job records the commit that ends at each snapshot', async () => {
    const agg = counterAggregate('lin');
    await addEvents(t.chronicle, 'lin-1', 12, { perCommit: 4 });
    await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    const [snap] = await t.db.collection('snapshots').find({ streamId: 'lin-1' }).toArray();
    const head = await t.db.collection('events').findOne({ streamId: 'lin-1', version: 12 });
    expect(snap).toMatchObject({ version: 12, commitId: head?._id });
    expect((await t.chronicle.snapshots.latest('lin-1'))?.commitId).toBe(head?._id);
  });

  it('a snapshot whose commits were rolled back is not used once the stream grows past it again: load and loadMany equal a full replay', async () => {
    const agg = counterAggregate('rb');
    await addEvents(t.chronicle, 'rb-1', 6, { perCommit: 6 });
    await addEvents(t.chronicle, 'rb-1', 4, { perCommit: 4 });
    await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 }); // at 10
    await rollBack('rb-1', 6);
    expect(await t.chronicle.aggregate(agg).load('1')).toMatchObject({ version: 6, state: { total: 6, events: 6 }, snapshotVersion: null });
    for (let v = 6; v < 10; v++) await t.chronicle.events.append('rb-1', [{ type: 'Added', data: { by: 100 } }], { expectedVersion: v });

    const replay = await replayOf('rb-1');
    expect(replay).toEqual({ total: 406, events: 10 });
    expect(await t.chronicle.aggregate(agg).load('1')).toMatchObject({ version: 10, state: replay, snapshotVersion: null });
    expect((await t.chronicle.aggregate(agg).loadMany(['1'])).get('1')).toMatchObject({ version: 10, state: replay, snapshotVersion: null });
    expect(warnings('rb-1').some((m) => m.startsWith('ignoring a snapshot built from another history'))).toBe(true);

    // A snapshot at that version from the new history replaces the stale one, and loads use it again.
    const commitId = String((await t.db.collection('events').findOne({ streamId: 'rb-1', version: 10 }))?._id);
    expect(await t.chronicle.snapshots.save({ streamId: 'rb-1', version: 10, schemaVersion: 1, state: replay, commitId })).toEqual({ written: true });
    expect(await t.chronicle.snapshots.save({ streamId: 'rb-1', version: 10, schemaVersion: 1, state: replay, commitId })).toEqual({ written: false });
    expect(await t.chronicle.aggregate(agg).load('1')).toMatchObject({ version: 10, state: replay, snapshotVersion: 10 });
  });

  it('falls back to an older valid snapshot rather than a full replay', async () => {
    const agg = counterAggregate('old');
    await addEvents(t.chronicle, 'old-1', 10, { perCommit: 5 });
    await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 }); // at 10
    await addEvents(t.chronicle, 'old-1', 10, { perCommit: 10 });
    await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 }); // at 20
    await rollBack('old-1', 10);
    expect(await t.chronicle.aggregate(agg).load('1')).toMatchObject({ version: 10, snapshotVersion: 10, eventsReplayed: 0, state: { total: 10, events: 10 } });
    expect((await t.chronicle.aggregate(agg).loadMany(['1'])).get('1')).toMatchObject({ version: 10, snapshotVersion: 10 });
  });

  it('a repository that remembers a snapshot does not append past a hole after a rollback', async () => {
    const agg = counterAggregate('hole');
    const repo = t.chronicle.aggregate(agg);
    await addEvents(t.chronicle, 'hole-1', 6, { perCommit: 6 });
    await addEvents(t.chronicle, 'hole-1', 4, { perCommit: 4 });
    await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    expect(await repo.load('1')).toMatchObject({ snapshotVersion: 10 }); // remembered
    await rollBack('hole-1', 6);
    const h = await repo.handle('1', { type: 'Add', by: 1 });
    expect(h.version).toBe(7);
    expect(h.state).toEqual({ total: 7, events: 7 });
    expect((await t.chronicle.events.read('hole-1')).map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('refuses to load a stream with a hole below its head', async () => {
    const agg = counterAggregate('gap');
    await addEvents(t.chronicle, 'gap-1', 9, { perCommit: 3 });
    await rollBack('gap-1', 3);
    await expect(t.chronicle.aggregate(agg).load('1')).rejects.toThrow(CorruptDocumentError);
    await expect(t.chronicle.aggregate(agg).load('1')).rejects.toThrow(/hole: version 4 is missing before version 7/);
    expect((await t.chronicle.aggregate(agg).loadMany(['1'])).get('1')).toBeInstanceOf(CorruptDocumentError);
  });

  it('still uses a snapshot saved without a commitId (by hand, or by v1) when it sits on a commit boundary', async () => {
    const agg = counterAggregate('v1');
    await addEvents(t.chronicle, 'v1-1', 8, { perCommit: 4 });
    await t.chronicle.snapshots.save({ streamId: 'v1-1', version: 4, schemaVersion: 1, state: { total: 4, events: 4 } });
    expect(await t.chronicle.aggregate(agg).load('1')).toMatchObject({ version: 8, snapshotVersion: 4, eventsReplayed: 4 });
    expect((await t.chronicle.aggregate(agg).loadMany(['1'])).get('1')).toMatchObject({ version: 8, snapshotVersion: 4, eventsReplayed: 4 });
  });

  it('checks lineage with no extra round trip: a load is still two commands sent together, whether the snapshot is in the tail or remembered', async () => {
    const agg = counterAggregate('rt');
    const repo = t.chronicle.aggregate(agg);
    await addEvents(t.chronicle, 'rt-1', 12, { perCommit: 3 });
    await runSnapshotJob(t.chronicle, { aggregates: [agg], threshold: 10, concurrency: 1 });
    await addEvents(t.chronicle, 'rt-1', 2, { perCommit: 1 });
    const cold = await countRoundTrips(t.client, () => repo.load('1'));
    expect(cold.commands).toEqual(['find', 'find']);
    expect(cold.result).toMatchObject({ version: 14, snapshotVersion: 12, eventsReplayed: 2 });
    const warm = await countRoundTrips(t.client, () => repo.load('1'));
    expect(warm.commands).toEqual(['find', 'find']);
    expect(warm.result).toMatchObject({ version: 14, snapshotVersion: 12, eventsReplayed: 2 });
  });

  it('reads the events that feed snapshots (loadMany, the job) with majority read concern', async () => {
    const agg = counterAggregate('maj');
    await addEvents(t.chronicle, 'maj-1', 3);
    const seen: Document[] = [];
    const listener = (e: CommandStartedEvent) => {
      if (e.commandName === 'find' && e.command.find === 'events') seen.push(e.command);
    };
    t.client.on('commandStarted', listener);
    try {
      expect((await t.chronicle.aggregate(agg).loadMany(['1'])).get('1')).toMatchObject({ version: 3 });
    } finally {
      t.client.off('commandStarted', listener);
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]?.readConcern).toEqual({ level: 'majority' });
  });
});
