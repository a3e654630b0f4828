import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandRejectedError } from '../../../src/errors.js';
import { todoListAggregate, type TodoCommand } from '../../../src/domain/index.js';
import { useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);

/** An independent model of a todo list: an ordered Map, no events involved. */
function applyToModel(model: Map<string, { text: string; completed: boolean }>, c: TodoCommand): void {
  switch (c.type) {
    case 'CreateTodo':
      if (!model.has(c.todoId)) model.set(c.todoId, { text: c.text.trim(), completed: false });
      return;
    case 'ChangeTodoText': {
      const todo = model.get(c.todoId);
      if (todo) todo.text = c.text.trim();
      return;
    }
    case 'ChangeTodoCompleted': {
      const todo = model.get(c.todoId);
      if (todo) todo.completed = c.completed;
      return;
    }
    case 'DeleteTodo':
      model.delete(c.todoId);
      return;
    case 'ClearDone':
      for (const [id, todo] of model) if (todo.completed) model.delete(id);
  }
}

const todoId = fc.constantFrom('a', 'b', 'c', 'd');
const text = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim().length > 0);
const command: fc.Arbitrary<TodoCommand> = fc.oneof(
  fc.record({ type: fc.constant('CreateTodo' as const), todoId, text }),
  fc.record({ type: fc.constant('ChangeTodoText' as const), todoId, text }),
  fc.record({ type: fc.constant('ChangeTodoCompleted' as const), todoId, completed: fc.boolean() }),
  fc.record({ type: fc.constant('DeleteTodo' as const), todoId }),
  fc.record({ type: fc.constant('ClearDone' as const) }),
);

describe('load (property)', () => {
  it('equals a full replay and an independent model, replaying only the tail after a snapshot', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), fc.array(fc.nat(30), { maxLength: 3 }), async (commands, snapshotAt) => {
        const id = `p${run++}`;
        const todos = t.chronicle.aggregate(todoListAggregate);
        const model = new Map<string, { text: string; completed: boolean }>();
        for (const c of commands) {
          try {
            await todos.handle(id, c);
          } catch (err) {
            if (!(err instanceof CommandRejectedError)) throw err;
          }
          applyToModel(model, c);
        }
        const all = await t.chronicle.events.read(`todos-${id}`);
        const head = all.length;
        // Snapshots at random versions, taken from a replay up to that version.
        for (const at of snapshotAt.map((n) => n % (head + 1))) {
          const state = all.slice(0, at).reduce((s, e) => todoListAggregate.evolve(s, e as never), todoListAggregate.initialState());
          await t.chronicle.snapshots.save({ streamId: `todos-${id}`, version: at, schemaVersion: 1, state });
        }
        const loaded = await todos.load(id);
        const replayed = all.reduce((s, e) => todoListAggregate.evolve(s, e as never), todoListAggregate.initialState());
        expect(loaded.state).toEqual(replayed);
        expect(loaded.state.todos.map((x) => [x.todoId, x.text, x.completed])).toEqual([...model].map(([k, v]) => [k, v.text, v.completed]));
        expect(loaded.version).toBe(head);
        const newest = snapshotAt.length ? Math.max(...snapshotAt.map((n) => n % (head + 1))) : null;
        expect(loaded.snapshotVersion).toBe(newest);
        expect(loaded.eventsReplayed).toBe(head - (newest ?? 0));
      }),
      { numRuns: 25 },
    );
  });
});
