/**
 * The todo workload every scenario shares, so Chronicle, the raw driver and the peers store the
 * same events: `TodoCreated` for appends, and for long histories a bounded list of ten todos whose
 * texts and completion flags keep changing (the state stays small however long the stream is, so
 * a load from a fresh snapshot should not depend on the history's length).
 */
import { randomUUID } from 'node:crypto';
import type { CommitDocument } from '../../../src/events/commitDocument.js';
import { todoListAggregate, type TodoEvent, type TodoListState } from '../../../src/domain/index.js';

/** The event a `CreateTodo` command with number `n` produces. */
export function createdEvent(n: number): TodoEvent {
  return { type: 'TodoCreated', data: { todoId: `t${n}`, text: `buy milk, eggs and bread #${n}`, completed: false } };
}

/** Event number `k` (0-based) of a long history over ten todos. */
export function historyEvent(k: number): TodoEvent {
  const todoId = `t${k % 10}`;
  if (k < 10) return { type: 'TodoCreated', data: { todoId, text: `todo number ${k}`, completed: false } };
  return k % 2 === 0
    ? { type: 'TodoTextChanged', data: { todoId, text: `todo ${k % 10}, edited at step ${k}` } }
    : { type: 'TodoCompletedChanged', data: { todoId, completed: k % 4 === 1 } };
}

/** Events `from` .. `from + count - 1` of the long history. */
export function historySlice(from: number, count: number): TodoEvent[] {
  return Array.from({ length: count }, (_, i) => historyEvent(from + i));
}

/** The todo-list state after the first `n` history events, computed in process. */
export function stateAfter(n: number): TodoListState {
  let s = todoListAggregate.initialState();
  for (let k = 0; k < n; k++) s = todoListAggregate.evolve(s, historyEvent(k));
  return s;
}

/**
 * The commit document Chronicle would store for these events, for the raw-driver baseline:
 * same fields, same sizes, same indexes (the collection is created by `migrate()`).
 */
export function commitDocument(streamId: string, prev: number, events: TodoEvent[]): CommitDocument {
  const dash = streamId.indexOf('-');
  return {
    _id: randomUUID(),
    streamId,
    streamType: dash > 0 ? streamId.slice(0, dash) : streamId,
    prev,
    version: prev + events.length,
    events: events.map((e, i) => ({ id: randomUUID(), type: e.type, schemaVersion: 1, version: prev + i + 1, data: e.data })),
    recordedAt: new Date(),
    position: null,
  };
}
