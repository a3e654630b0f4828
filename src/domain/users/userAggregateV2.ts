import { z } from 'zod';
import { defineAggregate } from '../../aggregates/defineAggregate.js';
import { decideUser, userCommandSchema, userEventSchemas, type UserState, type UserView } from './userAggregate.js';

/*
 * Why this exists: to show, and let tests prove, what a change of state shape costs. It is the
 * same aggregate as `userAggregate` (stream type `user`, same commands, same stored events) with
 * cookies moved under `preferences`. Because `schemaVersion` is 2, snapshots written by version 1
 * no longer fit as they are; `migrateState[1]` turns such a snapshot into a version 2 state, so a
 * load starts from it and replays only the events after it. Stored data is never rewritten.
 */

const userNameV2 = userEventSchemas.UserCreated.shape.name;
const userEmailV2 = userEventSchemas.UserCreated.shape.email;

/** State shape of schemaVersion 2: cookies live in `preferences`. */
export const userStateSchemaV2 = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('new') }),
  z.strictObject({
    status: z.literal('active'),
    name: userNameV2,
    email: userEmailV2,
    preferences: z.strictObject({ cookies: userEventSchemas.CookiesSet.shape.cookies }),
  }),
  z.strictObject({ status: z.literal('deleted') }),
]);

/** State of `userAggregateV2` (schemaVersion 2). */
export type UserStateV2 = z.output<typeof userStateSchemaV2>;

/** A version 1 state (cookies at the top) as a version 2 state (cookies in `preferences`). */
export function migrateUserStateV1(state: UserState): UserStateV2 {
  if (state.status !== 'active') return state;
  const { cookies, ...rest } = state;
  return { ...rest, preferences: { cookies } };
}

function toView(state: UserStateV2): UserView {
  return state.status === 'active'
    ? { status: 'active', name: state.name, email: state.email, cookies: state.preferences.cookies }
    : state;
}

/**
 * The user aggregate with state shape version 2 (`preferences.cookies`). Shares commands,
 * events and business rules with `userAggregate`; use one or the other for stream type `user`.
 */
export const userAggregateV2 = defineAggregate({
  type: 'user',
  schemaVersion: 2,
  stateSchema: userStateSchemaV2,
  commandSchema: userCommandSchema,
  eventSchemas: userEventSchemas,

  initialState: (): UserStateV2 => ({ status: 'new' }),

  evolve(state, event): UserStateV2 {
    switch (event.type) {
      case 'UserCreated':
        return { status: 'active', name: event.data.name, email: event.data.email, preferences: { cookies: 0 } };
      case 'UserUpdated':
        if (state.status !== 'active') return state;
        return { ...state, name: event.data.name ?? state.name, email: event.data.email ?? state.email };
      case 'CookiesSet':
        if (state.status !== 'active') return state;
        return { ...state, preferences: { ...state.preferences, cookies: event.data.cookies } };
      case 'UserDeleted':
        return { status: 'deleted' };
    }
  },

  decide: (command, state) => decideUser(command, toView(state)),

  migrateState: { 1: migrateUserStateV1 },
});
