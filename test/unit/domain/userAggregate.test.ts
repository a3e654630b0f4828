import { describe, expect, it } from 'vitest';
import { given } from '../../../src/aggregates/testing/index.js';
import { validateState } from '../../../src/aggregates/validation.js';
import { userAggregate, userAggregateV2, type UserEvent } from '../../../src/domain/index.js';
import { ValidationError } from '../../../src/errors.js';

const ada: UserEvent = { type: 'UserCreated', data: { name: 'Ada', email: 'ada@example.com' } };
const deleted: UserEvent = { type: 'UserDeleted', data: {} };

describe('userAggregate', () => {
  it('is the "user" stream type, state shape 1, starting new', () => {
    expect(userAggregate.type).toBe('user');
    expect(userAggregate.schemaVersion).toBe(1);
    expect(given(userAggregate).state).toEqual({ status: 'new' });
  });

  describe('CreateUser', () => {
    it('creates an active user with no cookies', () => {
      given(userAggregate)
        .when({ type: 'CreateUser', name: 'Ada', email: 'ada@example.com' })
        .then([ada])
        .andState({ status: 'active', name: 'Ada', email: 'ada@example.com', cookies: 0 });
    });

    it('is rejected when the user exists', () => {
      given(userAggregate, [ada])
        .when({ type: 'CreateUser', name: 'Bob', email: 'bob@example.com' })
        .thenRejected('user already exists');
    });

    it('is invalid with an invalid email', () => {
      given(userAggregate)
        .when({ type: 'CreateUser', name: 'Ada', email: 'not-an-email' })
        .thenInvalid(/email must be a valid email address/);
    });

    it('is invalid with a blank name or a missing field', () => {
      given(userAggregate).when({ type: 'CreateUser', name: ' ', email: 'ada@example.com' }).thenInvalid(/name/);
      given(userAggregate).whenUntyped({ type: 'CreateUser', name: 'Ada' }).thenInvalid(/email/);
    });
  });

  describe('UpdateUser', () => {
    it('updates name and email', () => {
      given(userAggregate, [ada])
        .when({ type: 'UpdateUser', name: 'Ada L.', email: 'ada@lovelace.org' })
        .then([{ type: 'UserUpdated', data: { name: 'Ada L.', email: 'ada@lovelace.org' } }])
        .andState({ status: 'active', name: 'Ada L.', email: 'ada@lovelace.org', cookies: 0 });
    });

    it('updates one field and records only what changed', () => {
      given(userAggregate, [ada])
        .when({ type: 'UpdateUser', email: 'ada@lovelace.org' })
        .then([{ type: 'UserUpdated', data: { email: 'ada@lovelace.org' } }])
        .andState({ status: 'active', name: 'Ada', email: 'ada@lovelace.org', cookies: 0 });
      given(userAggregate, [ada])
        .when({ type: 'UpdateUser', name: 'Ada', email: 'ada@lovelace.org' })
        .then([{ type: 'UserUpdated', data: { email: 'ada@lovelace.org' } }]);
    });

    it('produces nothing when nothing changes', () => {
      given(userAggregate, [ada]).when({ type: 'UpdateUser', name: 'Ada', email: 'ada@example.com' }).thenNothing();
    });

    it('is invalid without name and email', () => {
      given(userAggregate, [ada]).when({ type: 'UpdateUser' }).thenInvalid(/at least one of name, email/);
    });

    it('is invalid with an invalid email', () => {
      given(userAggregate, [ada]).when({ type: 'UpdateUser', email: 'ada@' }).thenInvalid(/email/);
    });

    it('is rejected for a user that does not exist', () => {
      given(userAggregate).when({ type: 'UpdateUser', name: 'Ada' }).thenRejected('user does not exist');
    });
  });

  describe('SetCookies', () => {
    it('sets the cookies', () => {
      given(userAggregate, [ada])
        .when({ type: 'SetCookies', cookies: 12 })
        .then([{ type: 'CookiesSet', data: { cookies: 12 } }])
        .andState((state) => state.status === 'active' && state.cookies === 12);
    });

    it('produces nothing when the count is unchanged', () => {
      given(userAggregate, [ada, { type: 'CookiesSet', data: { cookies: 3 } }])
        .when({ type: 'SetCookies', cookies: 3 })
        .thenNothing();
    });

    it.each([
      ['negative', -1],
      ['fractional', 1.5],
      ['NaN', Number.NaN],
      ['infinite', Number.POSITIVE_INFINITY],
    ])('is invalid with %s cookies', (_name, cookies) => {
      given(userAggregate, [ada]).when({ type: 'SetCookies', cookies }).thenInvalid(/non-negative integer/);
    });

    it('accepts zero', () => {
      given(userAggregate, [ada, { type: 'CookiesSet', data: { cookies: 3 } }])
        .when({ type: 'SetCookies', cookies: 0 })
        .then([{ type: 'CookiesSet', data: { cookies: 0 } }]);
    });

    it('is rejected for a user that does not exist', () => {
      given(userAggregate).when({ type: 'SetCookies', cookies: 1 }).thenRejected(/user does not exist/);
    });
  });

  describe('DeleteUser', () => {
    it('deletes the user and keeps no personal data in the state', () => {
      given(userAggregate, [ada]).when({ type: 'DeleteUser' }).then([deleted]).andState({ status: 'deleted' });
    });

    it('is rejected for a user that does not exist', () => {
      given(userAggregate).when({ type: 'DeleteUser' }).thenRejected('user does not exist');
    });

    it.each([
      { type: 'CreateUser', name: 'Ada', email: 'ada@example.com' },
      { type: 'UpdateUser', name: 'Ada' },
      { type: 'SetCookies', cookies: 1 },
      { type: 'DeleteUser' },
    ] as const)('rejects $type after DeleteUser', (command) => {
      given(userAggregate, [ada, deleted]).when(command).thenRejected('user has been deleted');
    });
  });

  it('checks commands before the state: an invalid command to a deleted user is invalid', () => {
    given(userAggregate, [ada, deleted]).when({ type: 'SetCookies', cookies: -1 }).thenInvalid();
  });
});

describe('userAggregateV2 (schema change)', () => {
  const history: UserEvent[] = [
    ada,
    { type: 'CookiesSet', data: { cookies: 7 } },
    { type: 'UserUpdated', data: { name: 'Ada L.' } },
  ];

  it('is the same stream type with a newer schemaVersion', () => {
    expect(userAggregateV2.type).toBe(userAggregate.type);
    expect(userAggregateV2.schemaVersion).toBe(2);
    expect(userAggregateV2.eventSchemas).toBe(userAggregate.eventSchemas);
  });

  it('replays events written under v1 into the nested shape', () => {
    expect(given(userAggregate, history).state).toEqual({
      status: 'active',
      name: 'Ada L.',
      email: 'ada@example.com',
      cookies: 7,
    });
    expect(given(userAggregateV2, history).state).toEqual({
      status: 'active',
      name: 'Ada L.',
      email: 'ada@example.com',
      preferences: { cookies: 7 },
    });
  });

  it('rejects a v1 state as a v2 snapshot, and the reverse', () => {
    const v1State = given(userAggregate, history).state;
    const v2State = given(userAggregateV2, history).state;
    expect(() => validateState(userAggregateV2, v1State)).toThrow(ValidationError);
    expect(() => validateState(userAggregate, v2State)).toThrow(ValidationError);
  });

  it('applies the same business rules', () => {
    given(userAggregateV2, history)
      .when({ type: 'SetCookies', cookies: 8 })
      .then([{ type: 'CookiesSet', data: { cookies: 8 } }])
      .andState((state) => state.status === 'active' && state.preferences.cookies === 8);
    given(userAggregateV2, history).when({ type: 'SetCookies', cookies: 7 }).thenNothing();
    given(userAggregateV2).when({ type: 'DeleteUser' }).thenRejected('user does not exist');
    given(userAggregateV2, [...history, deleted])
      .when({ type: 'CreateUser', name: 'Ada', email: 'ada@example.com' })
      .thenRejected('user has been deleted');
    given(userAggregateV2, history).when({ type: 'SetCookies', cookies: -3 }).thenInvalid();
  });
});
