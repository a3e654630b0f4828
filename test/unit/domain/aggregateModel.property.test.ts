import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateCommand, validateState } from '../../../src/aggregates/validation.js';
import {
  allTodos,
  todoListAggregate,
  userAggregate,
  userAggregateV2,
  migrateUserStateV1,
  type TodoEvent,
  type TodoListState,
  type UserEvent,
  type UserState,
  type UserStateV2,
} from '../../../src/domain/index.js';
import { CommandRejectedError, ValidationError } from '../../../src/errors.js';

// A few ids so that commands often hit existing todos; '' is there to exercise validation.
const todoId = fc.constantFrom('a', 'b', 'c', 'd', '');
const text = fc.oneof(fc.constantFrom('milk', ' milk ', 'tea', '   ', 'bread'), fc.string({ maxLength: 6 }));

const todoCommand = fc.oneof(
  fc.record({ type: fc.constant('CreateTodo' as const), todoId, text }),
  fc.record({ type: fc.constant('ChangeTodoText' as const), todoId, text }),
  fc.record({ type: fc.constant('ChangeTodoCompleted' as const), todoId, completed: fc.boolean() }),
  fc.record({ type: fc.constant('DeleteTodo' as const), todoId }),
  fc.constant({ type: 'ClearDone' as const }),
);
type RawTodoCommand = typeof todoCommand extends fc.Arbitrary<infer T> ? T : never;

type ModelTodo = { text: string; completed: boolean };
type Expected = { kind: 'invalid' } | { kind: 'rejected' } | { kind: 'events'; events: TodoEvent[] };

/** The rules restated as directly as possible over a Map, independent of the aggregate's code. */
function model(todos: Map<string, ModelTodo>, command: RawTodoCommand): Expected {
  if ('todoId' in command && command.todoId === '') return { kind: 'invalid' };
  if ('text' in command && command.text.trim() === '') return { kind: 'invalid' };
  switch (command.type) {
    case 'CreateTodo': {
      if (todos.has(command.todoId)) return { kind: 'rejected' };
      const t = command.text.trim();
      todos.set(command.todoId, { text: t, completed: false });
      const data = { todoId: command.todoId, text: t, completed: false };
      return { kind: 'events', events: [{ type: 'TodoCreated', data }] };
    }
    case 'ChangeTodoText': {
      const todo = todos.get(command.todoId);
      if (!todo) return { kind: 'rejected' };
      const t = command.text.trim();
      if (todo.text === t) return { kind: 'events', events: [] };
      todo.text = t;
      return { kind: 'events', events: [{ type: 'TodoTextChanged', data: { todoId: command.todoId, text: t } }] };
    }
    case 'ChangeTodoCompleted': {
      const todo = todos.get(command.todoId);
      if (!todo) return { kind: 'rejected' };
      if (todo.completed === command.completed) return { kind: 'events', events: [] };
      todo.completed = command.completed;
      const data = { todoId: command.todoId, completed: command.completed };
      return { kind: 'events', events: [{ type: 'TodoCompletedChanged', data }] };
    }
    case 'DeleteTodo':
      if (!todos.delete(command.todoId)) return { kind: 'rejected' };
      return { kind: 'events', events: [{ type: 'TodoDeleted', data: { todoId: command.todoId } }] };
    case 'ClearDone': {
      const done = [...todos].filter(([, todo]) => todo.completed).map(([id]) => id);
      for (const id of done) todos.delete(id);
      return { kind: 'events', events: done.length === 0 ? [] : [{ type: 'DoneCleared', data: { todoIds: done } }] };
    }
  }
}

function outcomeOf(run: () => void): 'invalid' | 'rejected' | 'ok' {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof ValidationError) return 'invalid';
    if (error instanceof CommandRejectedError) return 'rejected';
    throw error;
  }
}

describe('todoListAggregate against a Map model', () => {
  it('agrees on every outcome, event and state; every state passes stateSchema', () => {
    fc.assert(
      fc.property(fc.array(todoCommand, { maxLength: 40 }), (commands) => {
        const todos = new Map<string, ModelTodo>();
        let state: TodoListState = todoListAggregate.initialState();
        for (const command of commands) {
          const expected = model(todos, command);
          let events: TodoEvent[] = [];
          const outcome = outcomeOf(() => {
            events = todoListAggregate.decide(validateCommand(todoListAggregate, command), state);
          });
          expect(outcome).toBe(expected.kind === 'events' ? 'ok' : expected.kind);
          if (expected.kind === 'events') expect(events).toEqual(expected.events);
          state = events.reduce(todoListAggregate.evolve, state);
          validateState(todoListAggregate, state);
          expect(allTodos(state)).toEqual([...todos].map(([id, todo]) => ({ todoId: id, ...todo })));
        }
      }),
      { numRuns: 300 },
    );
  });
});

const userEvent: fc.Arbitrary<UserEvent> = fc.oneof(
  fc.record({
    type: fc.constant('UserCreated' as const),
    data: fc.record({ name: fc.constantFrom('Ada', 'Bob'), email: fc.constantFrom('a@example.com', 'b@example.com') }),
  }),
  fc.record({
    type: fc.constant('UserUpdated' as const),
    data: fc.record({ name: fc.constantFrom('Ada', 'Cy'), email: fc.constant('c@example.com') }, { requiredKeys: [] }),
  }),
  fc.record({ type: fc.constant('CookiesSet' as const), data: fc.record({ cookies: fc.nat(1000) }) }),
  fc.constant({ type: 'UserDeleted' as const, data: {} }),
);

/** How a v1 state looks in the v2 shape. */
function nest(state: UserState): UserStateV2 {
  if (state.status !== 'active') return state;
  const { cookies, ...rest } = state;
  return { ...rest, preferences: { cookies } };
}

describe('userAggregateV2 against userAggregate', () => {
  it('folds any history into the v1 state, nested, and both pass their schemas', () => {
    fc.assert(
      fc.property(fc.array(userEvent, { maxLength: 20 }), (history) => {
        const v1 = history.reduce(userAggregate.evolve, userAggregate.initialState());
        const v2 = history.reduce(userAggregateV2.evolve, userAggregateV2.initialState());
        validateState(userAggregate, v1);
        validateState(userAggregateV2, v2);
        expect(v2).toEqual(nest(v1));
        // The state migration agrees with replaying the history under v2.
        expect(migrateUserStateV1(v1)).toEqual(v2);
      }),
      { numRuns: 300 },
    );
  });
});
