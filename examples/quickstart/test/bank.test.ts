import { ConcurrencyError } from 'chronicle-es';
import { useTestChronicle } from 'chronicle-es/testing/vitest';
import { describe, expect, it } from 'vitest';
import { account } from '../src/account.js';

// A fresh, migrated database on the run's server for this file, dropped afterwards.
const t = useTestChronicle({ name: 'bank' });

describe('account on a real server', () => {
  it('handles commands and refuses a stale If-Match', async () => {
    const accounts = t.chronicle.aggregate(account);
    await accounts.handle('carol', { type: 'Open', owner: 'Carol' });
    const r = await accounts.handle('carol', { type: 'Deposit', amount: 25 }, { expectedVersion: 1 });
    expect(r.state.balance).toBe(25);
    await expect(accounts.handle('carol', { type: 'Deposit', amount: 1 }, { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
  });
});
