import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TodoEvent } from '../../../src/domain/index.js';
import type { LoggedCommit } from '../../../src/log/types.js';
import { defineProjection } from '../../../src/projections/defineProjection.js';
import { foldDocuments, routeEvents } from '../../../src/projections/foldBatch.js';

// The example of the README's "Define one", kept compiling and correct here.
type TodoItem = { list: string; todoId: string; done: boolean };
const todoItems = defineProjection<TodoItem, TodoEvent>({
  name: 'todo_items',
  version: 1,
  streamTypes: ['todos'],
  documentId: (e) => (e.type === 'DoneCleared' ? e.data.todoIds.map((t) => `${e.streamId}/${t}`) : `${e.streamId}/${e.data.todoId}`),
  evolve: (doc, e) => {
    switch (e.type) {
      case 'TodoCreated':
        return { list: e.streamId, todoId: e.data.todoId, done: e.data.completed };
      case 'TodoCompletedChanged':
        return doc && { ...doc, done: e.data.completed };
      case 'TodoDeleted':
      case 'DoneCleared':
        return null;
      default:
        return doc;
    }
  },
  schema: z.strictObject({ list: z.string(), todoId: z.string(), done: z.boolean() }),
});

const commit = (position: number, events: TodoEvent[]): LoggedCommit => ({
  position,
  commitId: `c${position}`,
  streamId: 'todos-home',
  streamType: 'todos',
  version: position,
  events: events.map((e, i) => ({ ...e, streamId: 'todos-home', version: i + 1, schemaVersion: 1, commitId: `c${position}`, recordedAt: new Date(0), metadata: null, position })),
  recordedAt: new Date(0),
  metadata: null,
});

describe('the README example projection', () => {
  it('keeps one document per todo, deleted when cleared', () => {
    const commits = [
      commit(1, [
        { type: 'TodoCreated', data: { todoId: 'a', text: 'milk', completed: false } },
        { type: 'TodoCreated', data: { todoId: 'b', text: 'eggs', completed: false } },
      ]),
      commit(2, [{ type: 'TodoCompletedChanged', data: { todoId: 'a', completed: true } }]),
      commit(3, [{ type: 'DoneCleared', data: { todoIds: ['a'] } }]),
    ];
    const writes = foldDocuments(todoItems, routeEvents(todoItems, commits), new Map());
    // `a` was created and deleted within the batch: nothing to write for it.
    expect(writes.map((w) => [w.id, w.doc])).toEqual([['todos-home/b', { list: 'todos-home', todoId: 'b', done: false }]]);
  });
});
