import { z } from 'zod';
import { defineAggregate, type EventsOf } from '../../aggregates/defineAggregate.js';
import { CommandRejectedError } from '../../errors.js';

const userName = z.string().trim().min(1, 'name must not be blank').max(200);
const userEmail = z.email('email must be a valid email address').max(254);
const cookies = z
  .int('cookies must be a non-negative integer')
  .min(0, 'cookies must be a non-negative integer');

// Commands are strict so that a misspelt field is an error, not silently ignored.
export const userCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('CreateUser'), name: userName, email: userEmail }),
  z
    .strictObject({ type: z.literal('UpdateUser'), name: userName.optional(), email: userEmail.optional() })
    .refine((command) => command.name !== undefined || command.email !== undefined, {
      message: 'UpdateUser needs at least one of name, email',
    }),
  z.strictObject({ type: z.literal('SetCookies'), cookies }),
  z.strictObject({ type: z.literal('DeleteUser') }),
]);

/** Shared by every version of the user aggregate: the events are the durable contract. */
export const userEventSchemas = {
  UserCreated: z.object({ name: userName, email: userEmail }),
  /** Carries only the fields that changed. */
  UserUpdated: z.object({ name: userName.optional(), email: userEmail.optional() }),
  CookiesSet: z.object({ cookies }),
  UserDeleted: z.object({}),
};

/**
 * State shape of schemaVersion 1. A deleted user keeps no personal data: the events still
 * hold it, but snapshots and loaded state do not.
 */
export const userStateSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('new') }),
  z.strictObject({ status: z.literal('active'), name: userName, email: userEmail, cookies }),
  z.strictObject({ status: z.literal('deleted') }),
]);

/** State of `userAggregate` (schemaVersion 1). */
export type UserState = z.output<typeof userStateSchema>;

/** A command the user aggregate accepts (every version). */
export type UserCommand = z.output<typeof userCommandSchema>;

/** An event of the user aggregate (every version). */
export type UserEvent = EventsOf<typeof userEventSchemas>;

/**
 * What the business rules need to know about a user, whatever the state shape of the
 * aggregate version: each version maps its state to this view and shares `decideUser`.
 */
export type UserView =
  | { status: 'new' }
  | { status: 'active'; name: string; email: string; cookies: number }
  | { status: 'deleted' };

/**
 * The user's business rules: creating a user that exists, touching one that does not, and
 * anything after `DeleteUser` are rejected; an update or cookie change that changes nothing
 * produces no event.
 * @throws CommandRejectedError with a reason a person can read.
 */
export function decideUser(command: UserCommand, user: UserView): UserEvent[] {
  if (user.status === 'deleted') {
    throw new CommandRejectedError(`user has been deleted; ${command.type} is not allowed`);
  }
  if (command.type === 'CreateUser') {
    if (user.status === 'active') throw new CommandRejectedError('user already exists');
    return [{ type: 'UserCreated', data: { name: command.name, email: command.email } }];
  }
  if (user.status === 'new') {
    throw new CommandRejectedError(`user does not exist; create it before ${command.type}`);
  }
  switch (command.type) {
    case 'UpdateUser': {
      const data: { name?: string; email?: string } = {};
      if (command.name !== undefined && command.name !== user.name) data.name = command.name;
      if (command.email !== undefined && command.email !== user.email) data.email = command.email;
      return Object.keys(data).length === 0 ? [] : [{ type: 'UserUpdated', data }];
    }
    case 'SetCookies':
      return command.cookies === user.cookies ? [] : [{ type: 'CookiesSet', data: { cookies: command.cookies } }];
    case 'DeleteUser':
      return [{ type: 'UserDeleted', data: {} }];
  }
}

/**
 * A user account (stream type `user`), state shape version 1: cookies at the top level.
 * See `userAggregateV2` for the same events folded into a newer shape.
 */
export const userAggregate = defineAggregate({
  type: 'user',
  schemaVersion: 1,
  stateSchema: userStateSchema,
  commandSchema: userCommandSchema,
  eventSchemas: userEventSchemas,

  initialState: (): UserState => ({ status: 'new' }),

  evolve(state, event): UserState {
    switch (event.type) {
      case 'UserCreated':
        return { status: 'active', name: event.data.name, email: event.data.email, cookies: 0 };
      case 'UserUpdated':
        // evolve must accept any stored stream; decide never emits this unless active.
        if (state.status !== 'active') return state;
        return { ...state, name: event.data.name ?? state.name, email: event.data.email ?? state.email };
      case 'CookiesSet':
        if (state.status !== 'active') return state;
        return { ...state, cookies: event.data.cookies };
      case 'UserDeleted':
        return { status: 'deleted' };
    }
  },

  decide: (command, state) => decideUser(command, state),
});
