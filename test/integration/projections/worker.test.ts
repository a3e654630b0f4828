import { describe, expect, it } from 'vitest';
import { todoSummaryProjection } from '../../../src/domain/projections/todoSummaryProjection.js';
import { userDirectoryProjection } from '../../../src/domain/projections/userDirectoryProjection.js';
import { todoListAggregate } from '../../../src/domain/todos/todoListAggregate.js';
import { userAggregate } from '../../../src/domain/users/userAggregate.js';
import { startWorker } from '../../../src/worker/startWorker.js';
import { useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);

describe('the worker runs the projections', () => {
  it('handle then waitFor(commitId): the read model shows the command at once', async () => {
    const worker = startWorker(t.chronicle, {
      sequencer: { batchSize: 50, minPollMs: 5, maxPollMs: 50 },
      projections: [todoSummaryProjection, userDirectoryProjection],
      projectionOptions: { minPollMs: 5, maxPollMs: 50 },
    });
    try {
      const todos = t.chronicle.aggregate(todoListAggregate);
      const summaries = t.chronicle.projection(todoSummaryProjection);
      for (const [i, todoId] of ['a', 'b', 'c'].entries()) {
        const r = await todos.handle('home', { type: 'CreateTodo', todoId, text: `item ${i}` });
        await summaries.waitFor(r.commitId!, { timeoutMs: 10_000 });
        expect(await (await summaries.collection()).findOne({ _id: 'todos-home' })).toMatchObject({ total: i + 1, open: i + 1, done: 0 });
      }
      const done = await todos.handle('home', { type: 'ChangeTodoCompleted', todoId: 'b', completed: true });
      await summaries.waitFor(done.commitId!, { timeoutMs: 10_000 });
      expect(await (await summaries.collection()).findOne({ _id: 'todos-home' })).toMatchObject({ total: 3, open: 2, done: 1, lastChangedAt: done.events[0]!.recordedAt });

      const users = t.chronicle.aggregate(userAggregate);
      const directory = t.chronicle.projection(userDirectoryProjection);
      await users.handle('ann', { type: 'CreateUser', name: 'Ann', email: 'ann@example.com' });
      const moved = await users.handle('ann', { type: 'UpdateUser', email: 'ann@example.org' });
      await directory.waitFor(moved.commitId!, { timeoutMs: 10_000 });
      const dir = await directory.collection();
      expect(await dir.findOne({ email: 'ann@example.org' })).toMatchObject({ _id: 'user-ann', name: 'Ann', cookies: 0, deleted: false });
      expect(await dir.findOne({ email: 'ann@example.com' })).toBeNull();
      const gone = await users.handle('ann', { type: 'DeleteUser' });
      await directory.waitFor(gone.commitId!, { timeoutMs: 10_000 });
      expect(await dir.findOne({ _id: 'user-ann' })).toMatchObject({ name: null, email: null, deleted: true });

      const status = worker.status().projections;
      expect(status.configured).toBe(2);
      expect(status.runners.map((r) => [r.id, r.active, r.state])).toEqual([
        ['todo_summaries@1', true, 'live'],
        ['user_directory@1', true, 'live'],
      ]);
      expect(await summaries.status()).toMatchObject({ name: 'todo_summaries', version: 1, state: 'live', lag: 0 });
    } finally {
      await worker.stop();
    }
    expect(worker.status().projections.runners.every((r) => !r.active && r.state === 'stopped')).toBe(true);
  });
});
