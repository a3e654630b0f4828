import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createChronicle } from '../../../src/chronicle.js';
import { CommandRejectedError } from '../../../src/errors.js';
import { todoListAggregate } from '../../../src/domain/index.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { expectIntactStreams } from '../../support/integrity.js';

const t = useChronicle(import.meta.filename);

describe('concurrent handle', () => {
  it('applies every non-rejected command from many callers exactly once', async () => {
    const clients = await Promise.all(Array.from({ length: 6 }, () => new MongoClient(t.uri).connect()));
    try {
      const repos = clients.map((c) => createChronicle(c.db(t.db.databaseName)).aggregate(todoListAggregate, { maxAttempts: 50 }));
      // 30 distinct creates plus 10 racing creates of one id: exactly one of those may win.
      const commands = [
        ...Array.from({ length: 30 }, (_, i) => ({ type: 'CreateTodo' as const, todoId: `t${i}`, text: `item ${i}` })),
        ...Array.from({ length: 10 }, (_, i) => ({ type: 'CreateTodo' as const, todoId: 'same', text: `racer ${i}` })),
      ];
      const outcomes = await Promise.all(
        commands.map((c, i) =>
          repos[i % repos.length]!.handle('shared', c).then(
            (r) => ({ ok: true as const, r }),
            (err: unknown) => {
              if (err instanceof CommandRejectedError) return { ok: false as const };
              throw err;
            },
          ),
        ),
      );
      const succeeded = outcomes.filter((o) => o.ok);
      expect(succeeded).toHaveLength(31);
      const loaded = await t.chronicle.aggregate(todoListAggregate).load('shared');
      expect(loaded.version).toBe(31);
      expect(loaded.state.todos.filter((x) => x.todoId === 'same')).toHaveLength(1);
      expect(new Set(loaded.state.todos.map((x) => x.todoId)).size).toBe(31);
      const acked = new Map(succeeded.map((o) => [o.r.events[0]!.commitId, { streamId: 'todos-shared', version: o.r.version }]));
      await expectIntactStreams(t.db, 'todos', acked, 1);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
