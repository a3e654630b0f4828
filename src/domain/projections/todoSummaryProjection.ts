import { z } from 'zod';
import { defineProjection } from '../../projections/defineProjection.js';
import type { TodoEvent } from '../todos/todoListAggregate.js';

/** One todo list's summary: what "lists with the most open todos" queries read. */
export const todoSummarySchema = z.strictObject({
  /** The list's stream id (`todos-<id>`), also the document's `_id`. */
  listId: z.string(),
  total: z.number().int().min(0),
  open: z.number().int().min(0),
  done: z.number().int().min(0),
  /** `recordedAt` of the list's latest event. */
  lastChangedAt: z.date(),
  /** Each todo's id and whether it is done, in creation order: what the counts are kept from. */
  todos: z.array(z.strictObject({ todoId: z.string(), completed: z.boolean() })),
});

/** A document of `todoSummaryProjection` (collection `todo_summaries_v1`). */
export type TodoSummary = z.output<typeof todoSummarySchema>;

const counted = (listId: string, todos: TodoSummary['todos'], at: Date): TodoSummary => {
  const done = todos.filter((t) => t.completed).length;
  return { listId, total: todos.length, open: todos.length - done, done, lastChangedAt: at, todos };
};

/**
 * Per todo list (stream type `todos`): total, open and done counts and when it last changed.
 * Indexed on `{ open: -1 }` by migration 007, so `find().sort({ open: -1 }).limit(10)` is cheap.
 */
export const todoSummaryProjection = defineProjection<TodoSummary, TodoEvent>({
  name: 'todo_summaries',
  version: 1,
  streamTypes: ['todos'],
  schema: todoSummarySchema,
  documentId: (event) => event.streamId,
  evolve(doc, event) {
    const todos = doc?.todos ?? [];
    const at = event.recordedAt;
    switch (event.type) {
      case 'TodoCreated': {
        const todo = { todoId: event.data.todoId, completed: event.data.completed };
        // As in the aggregate: creating an id that exists replaces it.
        const next = todos.some((t) => t.todoId === todo.todoId) ? todos.map((t) => (t.todoId === todo.todoId ? todo : t)) : [...todos, todo];
        return counted(event.streamId, next, at);
      }
      case 'TodoCompletedChanged': {
        const { todoId, completed } = event.data;
        return counted(event.streamId, todos.map((t) => (t.todoId === todoId ? { ...t, completed } : t)), at);
      }
      case 'TodoTextChanged':
        return counted(event.streamId, todos, at);
      case 'TodoDeleted':
        return counted(event.streamId, todos.filter((t) => t.todoId !== event.data.todoId), at);
      case 'DoneCleared': {
        const cleared = new Set(event.data.todoIds);
        return counted(event.streamId, todos.filter((t) => !cleared.has(t.todoId)), at);
      }
      default:
        return doc;
    }
  },
});
