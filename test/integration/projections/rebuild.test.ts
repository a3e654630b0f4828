import { describe, expect, it } from 'vitest';
import { createSequencer } from '../../../src/log/sequencer.js';
import { createProjectionRunner } from '../../../src/projections/projectionRunner.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { counterEvents, counterProjection } from '../../support/counterProjection.js';
import { foldFromScratch, readModelOf } from '../../support/projectionFold.js';

const t = useChronicle(import.meta.filename);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function append(from: number, to: number) {
  for (let i = from; i < to; i++) {
    const { streamId, events } = counterEvents(i, 9);
    await t.chronicle.events.append(streamId, events, { expectedVersion: 'any' });
  }
}

describe('rebuilding a projection (version 1 → 2)', () => {
  it('builds v2 beside v1 while writers append; readers see v1 until v2 caught up, then v2; v1 is dropped after the switch', async () => {
    const v1 = counterProjection(1, { name: 'ledger' });
    // v2 changes evolve: amounts count double.
    const v2 = counterProjection(2, { name: 'ledger', factor: 2 });
    const seq = createSequencer(t.db, { lease: false, batchSize: 50, minPollMs: 5, maxPollMs: 30 });
    seq.start();
    const fast = { minPollMs: 5, maxPollMs: 30, lease: { ttlMs: 2_000 } };
    const r1 = createProjectionRunner(t.db, v1, { ...fast, retireGraceMs: 300 });
    r1.start();
    await append(0, 150);
    const before = await t.chronicle.events.append('acct-0', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 'any' });
    await t.chronicle.projection(v1).waitFor(before.commitId, { timeoutMs: 20_000 });
    const startedAt = (await t.chronicle.projection(v1).status()).position;

    // v2 starts from position 1 in small batches, so it is half-built for a while.
    const r2 = createProjectionRunner(t.db, v2, { ...fast, batchSize: 5, retireGraceMs: 300 });
    r2.start();
    const handle = t.chronicle.projection(v2);
    const seen: { collection: string; maxPosition: number }[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 150; i < 230; i += 10) {
        await append(i, i + 10);
        // Read your writes through the v2 handle works all along (served by v1 until the switch).
        const r = await t.chronicle.events.append('acct-1', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 'any' });
        await handle.waitFor(r.commitId, { timeoutMs: 20_000 });
      }
      writing = false;
    })();
    const reader = (async () => {
      while (writing || seen.at(-1)?.collection !== 'ledger_v2') {
        const col = await handle.collection();
        const top = await col.find({}).sort({ _position: -1 }).limit(1).toArray();
        seen.push({ collection: col.collectionName, maxPosition: top[0]?._position ?? 0 });
        await sleep(20);
      }
    })();
    await Promise.all([writer, reader]);
    await seq.drain();
    await r1.done; // v1's runner stops by itself once v2 retired it
    expect(r1.status().state).toBe('retired');
    const last = await t.chronicle.events.append('acct-2', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 'any' });
    await handle.waitFor(last.commitId, { timeoutMs: 20_000 });
    await sleep(400);
    await r2.runOnce(); // past the grace period: the drop is due
    await Promise.all([r2.stop(), seq.stop()]);

    // Readers saw v1, then v2, never back, and never a collection behind what v1 held when the rebuild began.
    const names = seen.map((s) => s.collection);
    expect(names[0]).toBe('ledger_v1');
    expect(names.at(-1)).toBe('ledger_v2');
    expect(names.indexOf('ledger_v1', names.indexOf('ledger_v2'))).toBe(-1);
    for (const s of seen) expect(s.maxPosition).toBeGreaterThanOrEqual(startedAt);

    expect(await readModelOf(t.db, 'ledger_v2')).toEqual(await foldFromScratch(t.db, v2));
    const collections = (await t.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(collections).toContain('ledger_v2');
    expect(collections).not.toContain('ledger_v1');
    expect(await t.chronicle.projection(v1).status()).toMatchObject({ state: 'retired' });
    expect(await t.chronicle.projection(v2).status()).toMatchObject({ state: 'live', lag: 0 });
   }, 180_000);
});
