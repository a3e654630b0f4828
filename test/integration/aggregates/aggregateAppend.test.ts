import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAggregate } from '../../../src/aggregates/defineAggregate.js';
import { CommandRejectedError, ConcurrencyError, CorruptDocumentError, ValidationError } from '../../../src/errors.js';
import { useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);

const account = defineAggregate({
  type: 'account',
  schemaVersion: 1,
  stateSchema: z.object({ balance: z.number() }),
  commandSchema: z.discriminatedUnion('type', [
    z.object({ type: z.literal('Deposit'), amount: z.number().positive() }),
    z.object({ type: z.literal('Withdraw'), amount: z.number().positive() }),
  ]),
  eventSchemas: { Deposited: z.object({ amount: z.number().positive() }), Withdrawn: z.object({ amount: z.number().positive() }) },
  initialState: () => ({ balance: 0 }),
  evolve: (s, e) => ({ balance: e.type === 'Deposited' ? s.balance + e.data.amount : s.balance - e.data.amount }),
  decide: (c, s) => {
    if (c.type === 'Deposit') return [{ type: 'Deposited', data: { amount: c.amount } }];
    if (c.amount > s.balance) throw new CommandRejectedError(`insufficient funds: balance ${s.balance}, withdrawal ${c.amount}`);
    return [{ type: 'Withdrawn', data: { amount: c.amount } }];
  },
});

describe('aggregate.append: events decided outside handle, checked against eventSchemas', () => {
  it('appends valid events at an exact version and returns them typed', async () => {
    const accounts = t.chronicle.aggregate(account);
    const r = await accounts.append('a1', [{ type: 'Deposited', data: { amount: 100 } }, { type: 'Withdrawn', data: { amount: 30 } }], { expectedVersion: 0 });
    expect(r).toMatchObject({ streamId: 'account-a1', version: 2 });
    expect(r.events.map((e) => [e.version, e.type, e.data.amount])).toEqual([
      [1, 'Deposited', 100],
      [2, 'Withdrawn', 30],
    ]);
    expect((await accounts.load('a1')).state).toEqual({ balance: 70 });
    const raw = await t.db.collection('events').findOne({ streamId: 'account-a1' });
    expect(raw?.streamType).toBe('account');
  });

  it('refuses an unknown event type and a bad payload, and writes nothing', async () => {
    const accounts = t.chronicle.aggregate(account);
    const bad = (await accounts.append('poison', [{ type: 'Deposited', data: { amount: 'lots' } }] as never, { expectedVersion: 0 }).catch((e: unknown) => e)) as ValidationError;
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad.message).toMatch(/events\[0\].*invalid data for event "Deposited"/s);
    expect(bad.issues[0]?.path).toEqual(['events', 0, 'data', 'amount']);
    const unknown = (await accounts
      .append('poison', [{ type: 'Deposited', data: { amount: 5 } }, { type: 'Teleported', data: {} }] as never, { expectedVersion: 0 })
      .catch((e: unknown) => e)) as ValidationError;
    expect(unknown).toBeInstanceOf(ValidationError);
    expect(unknown.message).toMatch(/events\[1\].*unknown event type "Teleported".*known: Deposited, Withdrawn/s);
    expect(await t.chronicle.events.version('account-poison')).toBe(0);
    expect((await accounts.load('poison')).state).toEqual({ balance: 0 });
  });

  it('raw events.append is unchecked by design: a bad event there breaks every later load', async () => {
    await t.chronicle.events.append('account-raw', [{ type: 'Deposited', data: { amount: 'lots' } }], { expectedVersion: 0 });
    await expect(t.chronicle.aggregate(account).load('raw')).rejects.toBeInstanceOf(CorruptDocumentError);
    await expect(t.chronicle.aggregate(account).readEvents('raw')).rejects.toBeInstanceOf(CorruptDocumentError);
  });

  it('a stale or made-up expectedVersion is a ConcurrencyError', async () => {
    const accounts = t.chronicle.aggregate(account);
    await accounts.append('a2', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 0 });
    await expect(accounts.append('a2', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 0 })).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(accounts.append('a2', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 7 })).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await accounts.append('a2', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 'any' })).version).toBe(2);
  });

  it('readEvents returns the validated events in order', async () => {
    const events = await t.chronicle.aggregate(account).readEvents('a1', { afterVersion: 1 });
    expect(events.map((e) => ({ type: e.type, version: e.version, data: e.data }))).toEqual([{ type: 'Withdrawn', version: 2, data: { amount: 30 } }]);
  });
});

describe('handle with expectedVersion (If-Match)', () => {
  it('handles at the expected version, refuses any other without deciding', async () => {
    const accounts = t.chronicle.aggregate(account);
    const first = await accounts.handle('h1', { type: 'Deposit', amount: 50 }, { expectedVersion: 0 });
    expect(first.version).toBe(1);
    const stale = (await accounts.handle('h1', { type: 'Deposit', amount: 5 }, { expectedVersion: 0 }).catch((e: unknown) => e)) as ConcurrencyError;
    expect(stale).toBeInstanceOf(ConcurrencyError);
    expect(stale).toMatchObject({ expectedVersion: 0, actualVersion: 1 });
    await expect(accounts.handle('h1', { type: 'Deposit', amount: 5 }, { expectedVersion: -1 })).rejects.toBeInstanceOf(ValidationError);
    expect((await accounts.load('h1')).version).toBe(1);
  });

  it('racing commands with the same expectedVersion: one lands, the others are not retried', async () => {
    const accounts = t.chronicle.aggregate(account);
    await accounts.handle('h2', { type: 'Deposit', amount: 100 });
    const settled = await Promise.allSettled(Array.from({ length: 8 }, () => accounts.handle('h2', { type: 'Withdraw', amount: 10 }, { expectedVersion: 1 })));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(ConcurrencyError);
    expect((await accounts.load('h2')).state).toEqual({ balance: 90 });
  });
});
