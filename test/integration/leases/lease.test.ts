import { afterEach, describe, expect, it, vi } from 'vitest';
import { LeaseLostError } from '../../../src/errors.js';
import { acquireLease, readLease } from '../../../src/leases/lease.js';
import { useTestDatabase } from '../../support/testDatabase.js';

const t = useTestDatabase(import.meta.filename);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('leases', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives an epoch to exactly one of many contenders, as "<name>#<epoch>"', async () => {
    const got = await Promise.all(Array.from({ length: 6 }, (_, i) => acquireLease(t.db, 'race', { ttlMs: 5_000, holder: `h${i}` })));
    const held = got.filter((l) => l !== null);
    expect(held).toHaveLength(1);
    expect(held[0]?.epoch).toBe(1);
    const docs = await t.db.collection<{ _id: string; [k: string]: unknown }>('leases').find({ name: 'race' }).toArray();
    expect(docs).toEqual([expect.objectContaining({ _id: 'race#1', name: 'race', epoch: 1, holder: held[0]?.holder })]);
    await held[0]?.release();
    // Released: the next contender takes epoch 2 at once, without waiting for expiry.
    const next = await acquireLease(t.db, 'race', { ttlMs: 5_000 });
    expect(next?.epoch).toBe(2);
    await next?.release();
  });

  it('renews while held, so a contender waits well past the TTL', async () => {
    const a = await acquireLease(t.db, 'renewed', { ttlMs: 300 });
    expect(a).not.toBeNull();
    const b = await acquireLease(t.db, 'renewed', { ttlMs: 300, waitMs: 1_000, pollMs: 20 });
    expect(b).toBeNull();
    expect(a?.signal.aborted).toBe(false);
    await a?.assertHeld();
    await a?.release();
    expect(a?.signal.aborted).toBe(true);
  });

  it('is taken over once expired, and the old holder learns it (signal, epoch check) and stops renewing', async () => {
    const a = await acquireLease(t.db, 'takeover', { ttlMs: 2_000 });
    if (!a) throw new Error('no lease');
    // A holder whose renewals stop (paused) is simulated by a successor epoch taken after expiry.
    const past = new Date(Date.now() - 60_000);
    await t.db.collection<{ _id: string; [k: string]: unknown }>('leases').updateOne({ _id: 'takeover#1' }, { $set: { expiresAt: past } });
    const b = await acquireLease(t.db, 'takeover', { ttlMs: 2_000, holder: 'b' });
    expect(b?.epoch).toBe(2);
    await expect(a.assertHeld()).rejects.toThrow(LeaseLostError);
    expect(a.signal.aborted).toBe(true);
    expect(a.signal.reason).toBeInstanceOf(LeaseLostError);
    await sleep(1_000);
    // No renewal after losing it: epoch 1 keeps its expired time.
    expect((await t.db.collection<{ _id: string; [k: string]: unknown }>('leases').findOne({ _id: 'takeover#1' }))?.expiresAt).toEqual(past);
    expect(await readLease(t.db, 'takeover')).toMatchObject({ epoch: 2, holder: 'b', expired: false });
    await b?.release();
  });

  it('a holder that cannot renew in time gives the lease up by itself', async () => {
    const a = await acquireLease(t.db, 'selfexpire', { ttlMs: 300 });
    if (!a) throw new Error('no lease');
    // Someone deleted its document (an operator): the next renewal finds nothing to extend.
    await t.db.collection<{ _id: string; [k: string]: unknown }>('leases').deleteOne({ _id: 'selfexpire#1' });
    await sleep(500);
    expect(a.signal.aborted).toBe(true);
    await expect(a.assertHeld()).rejects.toThrow(/selfexpire/);
  });

  it('judges expiry on the server clock: a host whose clock is an hour ahead does not take a live lease', async () => {
    const a = await acquireLease(t.db, 'skew', { ttlMs: 30_000, holder: 'honest' });
    expect(a).not.toBeNull();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3_600_000 });
    const b = await acquireLease(t.db, 'skew', { ttlMs: 30_000, holder: 'ahead' });
    vi.useRealTimers();
    expect(b).toBeNull();
    // And its own lease's times are the server's, not its clock's.
    await a?.release();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3_600_000 });
    const c = await acquireLease(t.db, 'skew', { ttlMs: 30_000, holder: 'ahead' });
    vi.useRealTimers();
    const doc = await t.db.collection<{ _id: string; [k: string]: unknown }>('leases').findOne({ _id: 'skew#2' });
    expect(Math.abs((doc?.acquiredAt as Date).getTime() - Date.now())).toBeLessThan(60_000);
    await c?.release();
  });
});
