import { describe, expect, it } from 'vitest';
import { countRoundTrips, useChronicle } from '../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);

describe('snapshot repository', () => {
  it('saves readable documents and returns the highest version, filtered by schemaVersion and maxVersion', async () => {
    const s = t.chronicle.snapshots;
    const at = new Date('2026-05-06T07:08:09Z');
    expect(await s.save({ streamId: 'user-1', version: 10, schemaVersion: 1, state: { name: 'Ada', since: at } })).toEqual({ written: true });
    await s.save({ streamId: 'user-1', version: 20, schemaVersion: 1, state: { name: 'Ada L.', since: at } });
    await s.save({ streamId: 'user-1', version: 15, schemaVersion: 2, state: { profile: { name: 'Ada' } } });
    expect(await s.latest('user-1')).toMatchObject({ version: 20, schemaVersion: 1, state: { name: 'Ada L.', since: at } });
    expect(await s.latest('user-1', { schemaVersion: 2 })).toMatchObject({ version: 15, state: { profile: { name: 'Ada' } } });
    expect(await s.latest('user-1', { schemaVersion: 1, maxVersion: 19 })).toMatchObject({ version: 10 });
    expect(await s.latest('user-1', { maxVersion: 5 })).toBeNull();
    expect(await s.latest('user-none')).toBeNull();
    const raw = await t.db.collection('snapshots').findOne({ streamId: 'user-1', version: 10 });
    expect(raw).toMatchObject({ streamType: 'user', schemaVersion: 1, state: { name: 'Ada' } });
    expect(raw?.state.since).toBeInstanceOf(Date);
    expect(raw?.takenAt).toBeInstanceOf(Date);
    expect(raw?.stateMeta).toBeUndefined();
  });

  it('is idempotent: saving the same snapshot twice is a no-op', async () => {
    const s = t.chronicle.snapshots;
    await s.save({ streamId: 'idem-1', version: 3, schemaVersion: 1, state: { n: 1 } });
    expect(await s.save({ streamId: 'idem-1', version: 3, schemaVersion: 1, state: { n: 1 } })).toEqual({ written: false });
    const both = await Promise.all([
      s.save({ streamId: 'idem-1', version: 4, schemaVersion: 1, state: { n: 2 } }),
      s.save({ streamId: 'idem-1', version: 4, schemaVersion: 1, state: { n: 2 } }),
    ]);
    expect(both.filter((r) => r.written)).toHaveLength(1);
    expect(await t.db.collection('snapshots').countDocuments({ streamId: 'idem-1' })).toBe(2);
  });

  it('keeps the newest K per stream and schemaVersion', async () => {
    const s = t.chronicle.snapshots;
    for (let v = 1; v <= 6; v++) await s.save({ streamId: 'keep-1', version: v * 10, schemaVersion: 1, state: { v } });
    await s.save({ streamId: 'keep-1', version: 5, schemaVersion: 2, state: { v: 'two' } });
    const versions = (await t.db.collection('snapshots').find({ streamId: 'keep-1', schemaVersion: 1 }).toArray()).map((d) => d.version).sort((a, b) => a - b);
    expect(versions).toEqual([40, 50, 60]);
    expect(await t.db.collection('snapshots').countDocuments({ streamId: 'keep-1', schemaVersion: 2 })).toBe(1);
    await s.save({ streamId: 'keep-1', version: 70, schemaVersion: 1, state: { v: 7 } }, { keep: 1 });
    expect((await t.db.collection('snapshots').find({ streamId: 'keep-1', schemaVersion: 1 }).toArray()).map((d) => d.version)).toEqual([70]);
  });

  it('restores exact values through superjson where BSON cannot hold them', async () => {
    const state = { tags: new Set(['a', 'b']), byId: new Map([['x', { at: new Date(1) }]]), missing: undefined, ratio: NaN, huge: 2n ** 80n, small: 5n };
    await t.chronicle.snapshots.save({ streamId: 'exotic-1', version: 1, schemaVersion: 1, state });
    const back = await t.chronicle.snapshots.latest('exotic-1');
    expect(back?.state).toStrictEqual(state);
    const raw = await t.db.collection('snapshots').findOne({ streamId: 'exotic-1' });
    expect(typeof raw?.stateMeta).toBe('string');
  });

  it('reads latest in one round trip', async () => {
    await t.chronicle.snapshots.save({ streamId: 'rt-1', version: 1, schemaVersion: 1, state: {} });
    expect((await countRoundTrips(t.client, () => t.chronicle.snapshots.latest('rt-1'))).commands).toEqual(['find']);
  });
});
