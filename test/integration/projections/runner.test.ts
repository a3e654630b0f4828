import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ProjectionFailedError, ProjectionTimeoutError } from '../../../src/errors.js';
import { createSequencer } from '../../../src/log/sequencer.js';
import { defineProjection } from '../../../src/projections/defineProjection.js';
import { createProjectionRunner } from '../../../src/projections/projectionRunner.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { counterEvents, counterProjection } from '../../support/counterProjection.js';
import { foldFromScratch, readModelOf } from '../../support/projectionFold.js';

const t = useChronicle(import.meta.filename);

async function appendCounterEvents(from: number, to: number, accounts: number) {
  for (let i = from; i < to; i++) {
    const { streamId, events } = counterEvents(i, accounts);
    await t.chronicle.events.append(streamId, events, { expectedVersion: 'any' });
  }
}

describe('projection runner', () => {
  it('folds the log into documents with _position, skips what it applied, deletes on null', async () => {
    const def = counterProjection(1, { name: 'basic' });
    await appendCounterEvents(0, 60, 9);
    const seq = createSequencer(t.db, { lease: false, batchSize: 50 });
    await seq.drain();
    // Small batches: many batches, documents touched in several of them.
    const runner = createProjectionRunner(t.db, def, { lease: false, batchSize: 7 });
    expect(await runner.drain()).toBe(60);
    const expected = await foldFromScratch(t.db, def);
    expect(await readModelOf(t.db, 'basic_v1')).toEqual(expected);
    // Closed accounts are absent; a bucket carries the position of its last event.
    expect(Object.keys(expected).length).toBeGreaterThan(3);
    const bucket = await t.db.collection('basic_v1').findOne({ _id: 'bucket-0' as never });
    expect(bucket?._position).toBe(bucket?.lastPosition);

    // A new runner from an older checkpoint (as after a crash before the checkpoint) changes nothing.
    await t.db.collection('projections').updateOne({ _id: 'basic@1' as never }, { $set: { position: 20 } });
    expect(await createProjectionRunner(t.db, def, { lease: false, batchSize: 7 }).drain()).toBe(40);
    expect(await readModelOf(t.db, 'basic_v1')).toEqual(expected);

    await appendCounterEvents(60, 90, 9);
    await seq.drain();
    await runner.drain();
    expect(await readModelOf(t.db, 'basic_v1')).toEqual(await foldFromScratch(t.db, def));
    const status = await t.chronicle.projection(def).status();
    expect(status).toMatchObject({ name: 'basic', version: 1, position: 90, head: 90, lag: 0, state: 'live', collection: 'basic_v1' });
  });

  it('waitFor after handle sees the effect; times out with a typed error when nothing runs', async () => {
    const def = counterProjection(1, { name: 'rw' });
    const seq = createSequencer(t.db, { lease: false, batchSize: 50, minPollMs: 5, maxPollMs: 50 });
    seq.start();
    const runner = createProjectionRunner(t.db, def, { lease: false, minPollMs: 5, maxPollMs: 50 });
    runner.start();
    try {
      const handle = t.chronicle.projection(def);
      for (let i = 0; i < 5; i++) {
        const r = await t.chronicle.events.append('acct-rw', [{ type: 'Deposited', data: { amount: 3, bucket: 9 } }], { expectedVersion: 'any' });
        await handle.waitFor(r.commitId, { timeoutMs: 10_000 });
        const doc = await (await handle.collection()).findOne({ _id: 'acct-rw' });
        expect(doc).toMatchObject({ sum: 3 * (i + 1), applied: i + 1 });
      }
    } finally {
      await runner.stop();
      await seq.stop();
    }
    const r = await t.chronicle.events.append('acct-rw', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 'any' });
    const err = await t.chronicle.projection(def).waitFor(r.commitId, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProjectionTimeoutError);
    expect(err).toMatchObject({ code: 'PROJECTION_TIMEOUT', commitId: r.commitId, position: null });
  });

  it('a document the schema rejects stops the projection: failed, with position and event, nothing more written', async () => {
    const def = defineProjection<{ n: number }>({
      name: 'picky',
      version: 1,
      streamTypes: ['pick'],
      schema: z.strictObject({ n: z.number().max(3) }),
      documentId: (e) => e.streamId,
      evolve: (doc) => ({ n: (doc?.n ?? 0) + 1 }),
    });
    for (let i = 0; i < 3; i++) await t.chronicle.events.append('pick-a', [{ type: 'X', data: {} }], { expectedVersion: 'any' });
    const seq = createSequencer(t.db, { lease: false, batchSize: 50 });
    await seq.drain();
    const runner = createProjectionRunner(t.db, def, { lease: false });
    await runner.drain();
    const ok = await readModelOf(t.db, 'picky_v1');
    expect(ok).toEqual({ 'pick-a': { n: 3 } });
    const before = await t.chronicle.projection(def).status();

    await t.chronicle.events.append('pick-b', [{ type: 'X', data: {} }], { expectedVersion: 'any' });
    const bad = await t.chronicle.events.append('pick-a', [{ type: 'X', data: {} }], { expectedVersion: 'any' });
    await seq.drain();
    const badPosition = await t.chronicle.log.positionOf(bad.commitId);
    const err = await runner.drain().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProjectionFailedError);
    expect(err).toMatchObject({ code: 'PROJECTION_FAILED', at: { position: badPosition, streamId: 'pick-a', eventType: 'X', version: 4, documentId: 'pick-a' } });
    expect((err as Error).message).toMatch(/"picky@1" failed at position \d+ \(event X of pick-a v4, document "pick-a"\): the schema rejected the document: n:/);
    const status = await t.chronicle.projection(def).status();
    expect(status).toMatchObject({ state: 'failed', position: before.position, error: { at: { position: badPosition, eventType: 'X' } } });
    // Nothing of the failing batch was written (not even pick-b, which was valid), and the
    // background runner stops at once on the same event.
    expect(await readModelOf(t.db, 'picky_v1')).toEqual(ok);
    const bg = createProjectionRunner(t.db, def, { lease: false });
    bg.start();
    await bg.done;
    expect(bg.status()).toMatchObject({ state: 'failed' });
    expect(await readModelOf(t.db, 'picky_v1')).toEqual(ok);
    const waited = await t.chronicle.projection(def).waitFor(bad.commitId, { timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(waited).toBeInstanceOf(ProjectionFailedError);
  });
});
