import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAggregate } from '../../../src/aggregates/defineAggregate.js';
import { given } from '../../../src/aggregates/testing/index.js';
import { todoListAggregate, type TodoEvent } from '../../../src/domain/index.js';
import { CommandRejectedError, ValidationError } from '../../../src/errors.js';

const created = (todoId: string, text = 'milk'): TodoEvent => ({
  type: 'TodoCreated',
  data: { todoId, text, completed: false },
});

/** Runs `fn`, which must fail, and returns the AssertionError it threw. */
function failure(fn: () => unknown): AssertionError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'the helper should have failed').toBeInstanceOf(AssertionError);
  return thrown as AssertionError;
}

// A deliberately simple counter whose bugs can be switched on, to prove the helper catches them.
function counter(bugs: { badEvent?: boolean; badState?: boolean; crash?: boolean } = {}) {
  return defineAggregate({
    type: 'counter',
    schemaVersion: 1,
    stateSchema: z.object({ value: z.int().min(0) }),
    commandSchema: z.discriminatedUnion('type', [
      z.object({ type: z.literal('Add'), amount: z.int().positive() }),
      z.object({ type: z.literal('Reset') }),
    ]),
    eventSchemas: { Added: z.object({ amount: z.int().positive() }), WasReset: z.object({}) },
    initialState: () => ({ value: 0 }),
    evolve: (state, event) => {
      if (event.type === 'WasReset') return { value: bugs.badState ? -1 : 0 };
      return { value: state.value + event.data.amount };
    },
    decide: (command, state) => {
      if (bugs.crash) throw new TypeError('boom');
      if (command.type === 'Add') {
        return [{ type: 'Added', data: { amount: bugs.badEvent ? -command.amount : command.amount } }];
      }
      if (state.value === 0) throw new CommandRejectedError('already at zero');
      return [{ type: 'WasReset', data: {} }];
    },
  });
}

describe('given/when/then passes when it should', () => {
  it('works with any definition and returns events and state', () => {
    const result = given(counter(), [{ type: 'Added', data: { amount: 2 } }])
      .when({ type: 'Add', amount: 3 })
      .then([{ type: 'Added', data: { amount: 3 } }])
      .andState({ value: 5 });
    expect(result.events).toEqual([{ type: 'Added', data: { amount: 3 } }]);
    expect(result.state).toEqual({ value: 5 });
  });

  it('returns the rejection and the validation error for further checks', () => {
    const rejection = given(counter()).when({ type: 'Reset' }).thenRejected();
    expect(rejection).toBeInstanceOf(CommandRejectedError);
    const invalid = given(counter()).when({ type: 'Add', amount: 0 }).thenInvalid();
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid.issues).toEqual([{ path: ['amount'], message: expect.any(String) }]);
  });

  it('treats then([]) as thenNothing', () => {
    given(todoListAggregate).when({ type: 'ClearDone' }).then([]);
  });

  it('lets one history serve several commands', () => {
    const history = given(todoListAggregate, [created('a')]);
    history.when({ type: 'DeleteTodo', todoId: 'a' }).then([{ type: 'TodoDeleted', data: { todoId: 'a' } }]);
    history.when({ type: 'CreateTodo', todoId: 'a', text: 'x' }).thenRejected();
    expect(history.state.todos).toHaveLength(1);
  });
});

describe('given/when/then fails when it should', () => {
  const scenario = () => given(todoListAggregate, [created('a')]);

  it('fails on events with other data, with a readable diff', () => {
    const error = failure(() =>
      scenario()
        .when({ type: 'ChangeTodoText', todoId: 'a', text: 'tea' })
        .then([{ type: 'TodoTextChanged', data: { todoId: 'a', text: 'coffee' } }]),
    );
    expect(error.message).toMatch(/unexpected events/);
    expect(error.message).toContain("'tea'");
    expect(error.message).toContain("'coffee'");
    expect(error.actual).toEqual([{ type: 'TodoTextChanged', data: { todoId: 'a', text: 'tea' } }]);
  });

  it('fails on missing, extra and reordered events', () => {
    const twoDone = given(todoListAggregate, [created('a'), created('b')]);
    failure(() => twoDone.when({ type: 'CreateTodo', todoId: 'c', text: 'x' }).then([]));
    failure(() =>
      twoDone.when({ type: 'CreateTodo', todoId: 'c', text: 'x' }).then([created('c', 'x'), created('c', 'x')]),
    );
    const reorder = given(counter(), [{ type: 'Added', data: { amount: 1 } }]);
    reorder.when({ type: 'Add', amount: 1 }).then([{ type: 'Added', data: { amount: 1 } }]);
    failure(() => reorder.when({ type: 'Add', amount: 1 }).then([{ type: 'WasReset', data: {} }]));
  });

  it('fails on an unexpected rejection, naming the reason', () => {
    const error = failure(() =>
      scenario().when({ type: 'CreateTodo', todoId: 'a', text: 'x' }).then([created('a', 'x')]),
    );
    expect(error.message).toContain('todo "a" already exists');
    expect(error.cause).toBeInstanceOf(CommandRejectedError);
  });

  it('fails on an unexpected validation error', () => {
    const error = failure(() => scenario().when({ type: 'CreateTodo', todoId: 'b', text: ' ' }).then([]));
    expect(error.message).toMatch(/failed validation/);
    failure(() => scenario().when({ type: 'CreateTodo', todoId: 'b', text: ' ' }).thenNothing());
    failure(() => scenario().when({ type: 'CreateTodo', todoId: 'b', text: ' ' }).thenState({ todos: [] }));
    failure(() => scenario().when({ type: 'CreateTodo', todoId: 'b', text: ' ' }).thenRejected());
  });

  it('thenNothing fails when events were produced', () => {
    const error = failure(() => scenario().when({ type: 'DeleteTodo', todoId: 'a' }).thenNothing());
    expect(error.message).toContain('TodoDeleted');
  });

  it('thenRejected fails when the command succeeds, or for another reason', () => {
    const error = failure(() => scenario().when({ type: 'DeleteTodo', todoId: 'a' }).thenRejected());
    expect(error.message).toMatch(/expected a rejection, but it produced/);
    failure(() => scenario().when({ type: 'ClearDone' }).thenRejected());
    failure(() => scenario().when({ type: 'DeleteTodo', todoId: 'b' }).thenRejected('already exists'));
    failure(() => scenario().when({ type: 'DeleteTodo', todoId: 'b' }).thenRejected(/^nope/));
    scenario().when({ type: 'DeleteTodo', todoId: 'b' }).thenRejected(/^todo "b"/);
  });

  it('thenInvalid fails for a valid command, or another message', () => {
    failure(() => scenario().when({ type: 'DeleteTodo', todoId: 'a' }).thenInvalid());
    failure(() => scenario().when({ type: 'DeleteTodo', todoId: 'b' }).thenInvalid());
    failure(() => scenario().when({ type: 'DeleteTodo', todoId: '' }).thenInvalid(/completed/));
    scenario().when({ type: 'DeleteTodo', todoId: '' }).thenInvalid(/todoId/);
  });

  it('thenState and andState fail on another state, or a predicate returning false', () => {
    const milk = { todoId: 'a', text: 'milk', completed: false };
    const deleteA = () => scenario().when({ type: 'DeleteTodo', todoId: 'a' });
    deleteA().thenState({ todos: [] });
    failure(() => deleteA().thenState({ todos: [milk] }));
    failure(() => deleteA().thenState(() => false));
    failure(() => deleteA().thenState({ todos: [] }).andState({ todos: [milk] }));
    failure(() => deleteA().then([{ type: 'TodoDeleted', data: { todoId: 'a' } }]).andState({ todos: [milk] }));
  });

  it('lets a throwing predicate report its own failure', () => {
    expect(() =>
      scenario()
        .when({ type: 'DeleteTodo', todoId: 'a' })
        .thenState((state) => expect(state.todos).toHaveLength(1)),
    ).toThrow(/length/);
  });

  it('fails when given events do not match their schemas', () => {
    expect(() => given(todoListAggregate, [{ type: 'TodoCreated', data: { todoId: 'a' } } as never])).toThrow(
      /given event #1 of aggregate "todos" is not valid/,
    );
    expect(() => given(todoListAggregate, [{ type: 'TodoArchived', data: {} } as never])).toThrow(/unknown event type/);
  });

  it('fails when decide returns an event its schema rejects', () => {
    const error = failure(() =>
      given(counter({ badEvent: true }))
        .when({ type: 'Add', amount: 2 })
        .then([{ type: 'Added', data: { amount: -2 } }]),
    );
    expect(error.message).toMatch(/invalid event/);
  });

  it('fails when evolve reaches a state its schema rejects', () => {
    const buggy = given(counter({ badState: true }), [{ type: 'Added', data: { amount: 1 } }]);
    const error = failure(() => buggy.when({ type: 'Reset' }).then([{ type: 'WasReset', data: {} }]));
    expect(error.message).toMatch(/does not match stateSchema/);
    failure(() => given(counter({ badState: true }), [{ type: 'WasReset', data: {} }]));
  });

  it('fails when decide throws something other than a rejection', () => {
    const error = failure(() => given(counter({ crash: true })).when({ type: 'Reset' }).thenRejected());
    expect(error.message).toContain('TypeError: boom');
    failure(() => given(counter({ crash: true })).when({ type: 'Reset' }).thenNothing());
  });

  it('refuses to be awaited instead of passing silently', async () => {
    const when = scenario().when({ type: 'DeleteTodo', todoId: 'a' });
    await expect((async () => await (when as unknown as Promise<unknown>))()).rejects.toThrow(/not a promise/);
  });
});
