import { z } from 'zod';
import { defineAggregate } from '../../aggregates/defineAggregate.js';
import type { CommandOf, EventOf, StateOf } from '../../aggregates/types.js';
import { CommandRejectedError } from '../../errors.js';

/** Longest accepted todo id. */
export const MAX_TODO_ID_LENGTH = 100;
/** Longest accepted todo text, after trimming. */
export const MAX_TODO_TEXT_LENGTH = 1000;

const todoId = z.string().min(1, 'todoId must not be empty').max(MAX_TODO_ID_LENGTH);
// Trimmed so that "milk" and " milk " are the same text, and whitespace alone is rejected.
const todoText = z.string().trim().min(1, 'text must not be blank').max(MAX_TODO_TEXT_LENGTH);

const todoSchema = z.strictObject({ todoId, text: todoText, completed: z.boolean() });

/**
 * Todos in creation order. A plain array of objects rather than a keyed object, so the order
 * survives storage and the snapshot reads naturally in Compass (and no array nests in an array,
 * which FerretDB forbids).
 */
export const todoListStateSchema = z
  .strictObject({ todos: z.array(todoSchema) })
  .superRefine((state, ctx) => {
    const seen = new Set<string>();
    state.todos.forEach((todo, index) => {
      if (seen.has(todo.todoId)) {
        const message = `duplicate todoId "${todo.todoId}"`;
        ctx.addIssue({ code: 'custom', message, path: ['todos', index, 'todoId'] });
      }
      seen.add(todo.todoId);
    });
  });

// Commands are strict so that a misspelt field (e.g. `todoID`) is an error, not silently ignored.
export const todoCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('CreateTodo'), todoId, text: todoText }),
  z.strictObject({ type: z.literal('ChangeTodoText'), todoId, text: todoText }),
  z.strictObject({ type: z.literal('ChangeTodoCompleted'), todoId, completed: z.boolean() }),
  z.strictObject({ type: z.literal('DeleteTodo'), todoId }),
  z.strictObject({ type: z.literal('ClearDone') }),
]);

export const todoEventSchemas = {
  TodoCreated: z.object({ todoId, text: todoText, completed: z.boolean() }),
  TodoTextChanged: z.object({ todoId, text: todoText }),
  TodoCompletedChanged: z.object({ todoId, completed: z.boolean() }),
  TodoDeleted: z.object({ todoId }),
  DoneCleared: z.object({ todoIds: z.array(todoId) }),
};

/**
 * A todo list (stream type `todos`). Rejects creating an id that exists and changing or
 * deleting one that does not; a change that changes nothing, and `ClearDone` with nothing
 * done, produce no event.
 */
export const todoListAggregate = defineAggregate({
  type: 'todos',
  schemaVersion: 1,
  stateSchema: todoListStateSchema,
  commandSchema: todoCommandSchema,
  eventSchemas: todoEventSchemas,

  initialState: () => ({ todos: [] }),

  evolve(state, event) {
    switch (event.type) {
      case 'TodoCreated': {
        const todo = { todoId: event.data.todoId, text: event.data.text, completed: event.data.completed };
        // Replacing keeps ids unique even if a stream was written by something other than decide.
        if (!state.todos.some((t) => t.todoId === todo.todoId)) return { todos: [...state.todos, todo] };
        return { todos: state.todos.map((t) => (t.todoId === todo.todoId ? todo : t)) };
      }
      case 'TodoTextChanged': {
        const { todoId, text } = event.data;
        return { todos: state.todos.map((t) => (t.todoId === todoId ? { ...t, text } : t)) };
      }
      case 'TodoCompletedChanged': {
        const { todoId, completed } = event.data;
        return { todos: state.todos.map((t) => (t.todoId === todoId ? { ...t, completed } : t)) };
      }
      case 'TodoDeleted':
        return { todos: state.todos.filter((t) => t.todoId !== event.data.todoId) };
      case 'DoneCleared': {
        const cleared = new Set(event.data.todoIds);
        return { todos: state.todos.filter((t) => !cleared.has(t.todoId)) };
      }
    }
  },

  decide(command, state) {
    const existing = (id: string) => {
      const todo = state.todos.find((t) => t.todoId === id);
      if (todo === undefined) throw new CommandRejectedError(`todo "${id}" does not exist`);
      return todo;
    };
    switch (command.type) {
      case 'CreateTodo':
        if (state.todos.some((t) => t.todoId === command.todoId)) {
          throw new CommandRejectedError(`todo "${command.todoId}" already exists`);
        }
        return [{ type: 'TodoCreated', data: { todoId: command.todoId, text: command.text, completed: false } }];
      case 'ChangeTodoText':
        if (existing(command.todoId).text === command.text) return [];
        return [{ type: 'TodoTextChanged', data: { todoId: command.todoId, text: command.text } }];
      case 'ChangeTodoCompleted':
        if (existing(command.todoId).completed === command.completed) return [];
        return [{ type: 'TodoCompletedChanged', data: { todoId: command.todoId, completed: command.completed } }];
      case 'DeleteTodo':
        existing(command.todoId);
        return [{ type: 'TodoDeleted', data: { todoId: command.todoId } }];
      case 'ClearDone': {
        const todoIds = state.todos.filter((t) => t.completed).map((t) => t.todoId);
        return todoIds.length === 0 ? [] : [{ type: 'DoneCleared', data: { todoIds } }];
      }
    }
  },
});

/** State of a todo list: `{ todos: Todo[] }` in creation order. */
export type TodoListState = StateOf<typeof todoListAggregate>;
/** One todo. */
export type Todo = TodoListState['todos'][number];
/** A command the todo list accepts. */
export type TodoCommand = CommandOf<typeof todoListAggregate>;
/** An event of the todo list. */
export type TodoEvent = EventOf<typeof todoListAggregate>;
