import { CommandRejectedError, defineAggregate } from 'chronicle-es';
import { z } from 'zod';

const cents = z.number().int().positive();

export const account = defineAggregate({
  type: 'account', // stream type: account "alice" lives in stream "account-alice"
  schemaVersion: 1, // bump when the state's shape or evolve changes; old snapshots are then ignored
  stateSchema: z.object({ owner: z.string().nullable(), balance: z.number().int() }),
  commandSchema: z.discriminatedUnion('type', [
    z.object({ type: z.literal('Open'), owner: z.string().min(1) }),
    z.object({ type: z.literal('Deposit'), amount: cents }),
    z.object({ type: z.literal('Withdraw'), amount: cents }),
  ]),
  eventSchemas: {
    Opened: z.object({ owner: z.string() }),
    Deposited: z.object({ amount: cents }),
    Withdrawn: z.object({ amount: cents }),
  },
  initialState: () => ({ owner: null, balance: 0 }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'Opened':
        return { ...state, owner: event.data.owner };
      case 'Deposited':
        return { ...state, balance: state.balance + event.data.amount };
      case 'Withdrawn':
        return { ...state, balance: state.balance - event.data.amount };
    }
  },
  decide: (command, state) => {
    if (command.type === 'Open') {
      if (state.owner !== null) throw new CommandRejectedError('the account is already open');
      return [{ type: 'Opened', data: { owner: command.owner } }];
    }
    if (state.owner === null) throw new CommandRejectedError('the account is not open');
    if (command.type === 'Deposit') return [{ type: 'Deposited', data: { amount: command.amount } }];
    if (command.amount > state.balance) throw new CommandRejectedError(`insufficient funds: balance ${state.balance}, withdrawal ${command.amount}`);
    return [{ type: 'Withdrawn', data: { amount: command.amount } }];
  },
});
