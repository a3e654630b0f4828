import { describe, expect, it } from 'vitest';
import { given } from '../../../src/aggregates/testing/index.js';
import { validateEvent, validateState } from '../../../src/aggregates/validation.js';
import {
  allTodos,
  doneTodos,
  getTodo,
  hasTodo,
  todoListAggregate,
  type TodoEvent,
  type TodoListState,
} from '../../../src/domain/index.js';
import { ValidationError } from '../../../src/errors.js';

const created = (todoId: string, text = `text of ${todoId}`): TodoEvent => ({
  type: 'TodoCreated',
  data: { todoId, text, completed: false },
});
const completed = (todoId: string, value = true): TodoEvent => ({
  type: 'TodoCompletedChanged',
  data: { todoId, completed: value },
});

describe('todoListAggregate', () => {
  it('is the "todos" stream type, state shape 1, starting empty', () => {
    expect(todoListAggregate.type).toBe('todos');
    expect(todoListAggregate.schemaVersion).toBe(1);
    expect(given(todoListAggregate).state).toEqual({ todos: [] });
  });

  describe('CreateTodo', () => {
    it('creates an open todo', () => {
      given(todoListAggregate)
        .when({ type: 'CreateTodo', todoId: 'a', text: 'milk' })
        .then([{ type: 'TodoCreated', data: { todoId: 'a', text: 'milk', completed: false } }])
        .andState({ todos: [{ todoId: 'a', text: 'milk', completed: false }] });
    });

    it('trims the text', () => {
      given(todoListAggregate)
        .when({ type: 'CreateTodo', todoId: 'a', text: '  milk \n' })
        .then([created('a', 'milk')]);
    });

    it('keeps creation order', () => {
      given(todoListAggregate, [created('b'), created('a')])
        .when({ type: 'CreateTodo', todoId: 'c', text: 'tea' })
        .thenState((state) => allTodos(state).map((t) => t.todoId).join() === 'b,a,c');
    });

    it('is rejected when the id exists', () => {
      given(todoListAggregate, [created('a')])
        .when({ type: 'CreateTodo', todoId: 'a', text: 'again' })
        .thenRejected('todo "a" already exists');
    });

    it('may reuse the id of a deleted todo', () => {
      given(todoListAggregate, [created('a'), { type: 'TodoDeleted', data: { todoId: 'a' } }])
        .when({ type: 'CreateTodo', todoId: 'a', text: 'again' })
        .then([created('a', 'again')]);
    });

    it.each([
      ['blank text', { type: 'CreateTodo', todoId: 'a', text: '   ' }, /text must not be blank/],
      ['empty id', { type: 'CreateTodo', todoId: '', text: 'milk' }, /todoId/],
      ['too long id', { type: 'CreateTodo', todoId: 'x'.repeat(101), text: 'milk' }, /todoId/],
      ['too long text', { type: 'CreateTodo', todoId: 'a', text: 'x'.repeat(1001) }, /text/],
      ['missing text', { type: 'CreateTodo', todoId: 'a' }, /text/],
      ['unknown field', { type: 'CreateTodo', todoId: 'a', text: 'milk', done: true }, /done/],
      ['unknown command', { type: 'Archive', todoId: 'a' }, /type/],
    ])('is invalid with %s', (_name, command, message) => {
      given(todoListAggregate).whenUntyped(command).thenInvalid(message);
    });

    it('accepts the longest id and text', () => {
      given(todoListAggregate)
        .when({ type: 'CreateTodo', todoId: 'x'.repeat(100), text: 'y'.repeat(1000) })
        .then([created('x'.repeat(100), 'y'.repeat(1000))]);
    });
  });

  describe('ChangeTodoText', () => {
    it('changes the text in place', () => {
      given(todoListAggregate, [created('a', 'milk'), created('b', 'tea')])
        .when({ type: 'ChangeTodoText', todoId: 'a', text: 'oat milk' })
        .then([{ type: 'TodoTextChanged', data: { todoId: 'a', text: 'oat milk' } }])
        .andState({
          todos: [
            { todoId: 'a', text: 'oat milk', completed: false },
            { todoId: 'b', text: 'tea', completed: false },
          ],
        });
    });

    it('produces nothing when the text is the same (after trimming)', () => {
      given(todoListAggregate, [created('a', 'milk')])
        .when({ type: 'ChangeTodoText', todoId: 'a', text: ' milk ' })
        .thenNothing();
    });

    it('is rejected for a todo that does not exist', () => {
      given(todoListAggregate)
        .when({ type: 'ChangeTodoText', todoId: 'zz', text: 'x' })
        .thenRejected('todo "zz" does not exist');
    });

    it('is rejected for a deleted todo', () => {
      given(todoListAggregate, [created('a'), { type: 'TodoDeleted', data: { todoId: 'a' } }])
        .when({ type: 'ChangeTodoText', todoId: 'a', text: 'x' })
        .thenRejected(/does not exist/);
    });
  });

  describe('ChangeTodoCompleted', () => {
    it('completes and reopens a todo', () => {
      given(todoListAggregate, [created('a')])
        .when({ type: 'ChangeTodoCompleted', todoId: 'a', completed: true })
        .then([completed('a')])
        .andState((state) => getTodo(state, 'a')?.completed === true);
      given(todoListAggregate, [created('a'), completed('a')])
        .when({ type: 'ChangeTodoCompleted', todoId: 'a', completed: false })
        .then([completed('a', false)]);
    });

    it('produces nothing when already in that state', () => {
      given(todoListAggregate, [created('a')])
        .when({ type: 'ChangeTodoCompleted', todoId: 'a', completed: false })
        .thenNothing();
    });

    it('is rejected for a todo that does not exist', () => {
      given(todoListAggregate)
        .when({ type: 'ChangeTodoCompleted', todoId: 'a', completed: true })
        .thenRejected('todo "a" does not exist');
    });

    it('is invalid without a boolean', () => {
      given(todoListAggregate, [created('a')])
        .whenUntyped({ type: 'ChangeTodoCompleted', todoId: 'a', completed: 'yes' })
        .thenInvalid(/completed/);
    });
  });

  describe('DeleteTodo', () => {
    it('deletes a todo', () => {
      given(todoListAggregate, [created('a'), created('b')])
        .when({ type: 'DeleteTodo', todoId: 'a' })
        .then([{ type: 'TodoDeleted', data: { todoId: 'a' } }])
        .andState({ todos: [{ todoId: 'b', text: 'text of b', completed: false }] });
    });

    it('is rejected for a todo that does not exist', () => {
      given(todoListAggregate, [created('a')])
        .when({ type: 'DeleteTodo', todoId: 'b' })
        .thenRejected('todo "b" does not exist');
    });
  });

  describe('ClearDone', () => {
    it('removes every done todo and names them', () => {
      given(todoListAggregate, [created('a'), created('b'), created('c'), completed('a'), completed('c')])
        .when({ type: 'ClearDone' })
        .then([{ type: 'DoneCleared', data: { todoIds: ['a', 'c'] } }])
        .andState({ todos: [{ todoId: 'b', text: 'text of b', completed: false }] });
    });

    it('produces nothing when nothing is done', () => {
      given(todoListAggregate, [created('a')]).when({ type: 'ClearDone' }).thenNothing();
      given(todoListAggregate).when({ type: 'ClearDone' }).thenNothing();
    });

    it('is invalid with extra fields', () => {
      given(todoListAggregate).whenUntyped({ type: 'ClearDone', all: true }).thenInvalid();
    });
  });

  describe('events and state', () => {
    it('rejects unknown or malformed events', () => {
      expect(() => validateEvent(todoListAggregate, { type: 'TodoArchived', data: {} })).toThrow(ValidationError);
      expect(() => validateEvent(todoListAggregate, { type: 'TodoCreated', data: { todoId: 'a' } })).toThrow(
        /invalid data for event "TodoCreated"/,
      );
    });

    it('rejects a state with duplicate ids', () => {
      const state = {
        todos: [
          { todoId: 'a', text: 'x', completed: false },
          { todoId: 'a', text: 'y', completed: true },
        ],
      };
      expect(() => validateState(todoListAggregate, state)).toThrow(/duplicate todoId "a"/);
    });

    it('does not mutate the state it evolves', () => {
      const before = given(todoListAggregate, [created('a')]).state;
      const snapshot = structuredClone(before);
      given(todoListAggregate, [created('a')]).when({ type: 'ClearDone' }).thenNothing();
      todoListAggregate.evolve(before, completed('a'));
      todoListAggregate.evolve(before, { type: 'TodoDeleted', data: { todoId: 'a' } });
      expect(before).toEqual(snapshot);
    });
  });
});

describe('todo queries', () => {
  const state: TodoListState = given(todoListAggregate, [
    created('a', 'milk'),
    created('b', 'tea'),
    created('c', 'bread'),
    completed('b'),
  ]).state;

  it('hasTodo', () => {
    expect(hasTodo(state, 'a')).toBe(true);
    expect(hasTodo(state, 'z')).toBe(false);
  });

  it('getTodo', () => {
    expect(getTodo(state, 'b')).toEqual({ todoId: 'b', text: 'tea', completed: true });
    expect(getTodo(state, 'z')).toBeUndefined();
  });

  it('allTodos in creation order', () => {
    expect(allTodos(state).map((t) => t.todoId)).toEqual(['a', 'b', 'c']);
    expect(allTodos(todoListAggregate.initialState())).toEqual([]);
  });

  it('doneTodos', () => {
    expect(doneTodos(state)).toEqual([{ todoId: 'b', text: 'tea', completed: true }]);
    expect(doneTodos(todoListAggregate.initialState())).toEqual([]);
  });
});
