import { given } from 'chronicle-es/testing';
import { describe, it } from 'vitest';
import { account } from '../src/account.js';

const opened = [{ type: 'Opened' as const, data: { owner: 'Alice' } }];

describe('account (given / when / then, no server)', () => {
  it('deposits into an open account', () => {
    given(account, opened).when({ type: 'Deposit', amount: 50 }).then([{ type: 'Deposited', data: { amount: 50 } }]).andState({ owner: 'Alice', balance: 50 });
  });

  it('refuses an overdraft', () => {
    given(account, [...opened, { type: 'Deposited', data: { amount: 20 } }])
      .when({ type: 'Withdraw', amount: 30 })
      .thenRejected(/insufficient funds/);
  });

  it('refuses an invalid command', () => {
    given(account, opened).when({ type: 'Deposit', amount: -5 }).thenInvalid();
  });
});
