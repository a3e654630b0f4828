import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AggregateRepository, HandleResult, RecordedEventOf } from '../../../src/aggregates/types.js';
import type { TodoCommand, TodoEvent, TodoListState } from '../../../src/domain/index.js';

// Compile-time checks (`npm run typecheck` covers test/): the events of one aggregate are a
// union discriminated on `type`, so narrowing on `type` narrows `data` without a cast.

/** What an app writes over HandleResult.events; did not compile while `data` was a union. */
function describeEvents(events: HandleResult<TodoListState, TodoEvent>['events']): string[] {
  return events.map((e) => (e.type === 'DoneCleared' ? `cleared ${e.data.todoIds.join(',')}` : e.type === 'TodoCreated' ? `created ${e.data.text}` : e.type));
}

describe('event types of an aggregate', () => {
  it('HandleResult.events, readEvents and append results narrow on type', () => {
    type Recorded = RecordedEventOf<TodoEvent>;
    expectTypeOf<Extract<Recorded, { type: 'DoneCleared' }>['data']>().toEqualTypeOf<{ todoIds: string[] }>();
    expectTypeOf<HandleResult<TodoListState, TodoEvent>['events'][number]>().toEqualTypeOf<Recorded>();
    type Repo = AggregateRepository<TodoListState, TodoCommand, TodoEvent>;
    expectTypeOf<Awaited<ReturnType<Repo['readEvents']>>[number]>().toEqualTypeOf<Recorded>();
    expectTypeOf<Awaited<ReturnType<Repo['append']>>['events'][number]>().toEqualTypeOf<Recorded>();

    const e = { type: 'TodoDeleted', data: { todoId: 'a' } } as Recorded;
    // @ts-expect-error -- not every event has todoIds until `type` is narrowed
    void e.data.todoIds;
    if (e.type === 'TodoTextChanged') expectTypeOf(e.data).toEqualTypeOf<{ todoId: string; text: string }>();
  });

  it('aggregate.append accepts only the aggregate’s events', () => {
    type Append = AggregateRepository<TodoListState, TodoCommand, TodoEvent>['append'];
    const append = (() => Promise.resolve()) as unknown as Append;
    void append('7', [{ type: 'TodoDeleted', data: { todoId: 'a' } }], { expectedVersion: 3 });
    // @ts-expect-error -- an event type the aggregate does not have
    void append('7', [{ type: 'Teleported', data: {} }], { expectedVersion: 3 });
    // @ts-expect-error -- a payload of the wrong shape
    void append('7', [{ type: 'TodoDeleted', data: { todoId: 1 } }], { expectedVersion: 3 });
  });

  it('narrowing works at run time as written', () => {
    const at = new Date();
    const base = { streamId: 'todos-1', schemaVersion: 1, commitId: 'c', recordedAt: at, metadata: null, position: null };
    expect(
      describeEvents([
        { ...base, version: 1, type: 'TodoCreated', data: { todoId: 'a', text: 'milk', completed: false } },
        { ...base, version: 2, type: 'DoneCleared', data: { todoIds: ['a'] } },
      ]),
    ).toEqual(['created milk', 'cleared a']);
  });
});
