import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { todoSummaryProjection } from '../../../src/domain/projections/todoSummaryProjection.js';
import { userDirectoryProjection } from '../../../src/domain/projections/userDirectoryProjection.js';
import { todoListAggregate } from '../../../src/domain/todos/todoListAggregate.js';
import { userAggregate } from '../../../src/domain/users/userAggregate.js';
import { CommandRejectedError } from '../../../src/errors.js';
import { createSequencer } from '../../../src/log/sequencer.js';
import { createProjectionRunner } from '../../../src/projections/projectionRunner.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { foldFromScratch, readModelOf } from '../../support/projectionFold.js';

const t = useChronicle(import.meta.filename);

const todoId = fc.constantFrom('a', 'b', 'c', 'd');
const text = fc.constantFrom('milk', 'eggs', 'bread');
const todoCommand = fc.oneof(
  fc.record({ type: fc.constant('CreateTodo' as const), todoId, text }),
  fc.record({ type: fc.constant('ChangeTodoText' as const), todoId, text }),
  fc.record({ type: fc.constant('ChangeTodoCompleted' as const), todoId, completed: fc.boolean() }),
  fc.record({ type: fc.constant('DeleteTodo' as const), todoId }),
  fc.constant({ type: 'ClearDone' as const }),
);
const email = fc.constantFrom('ann@example.com', 'bob@example.com', 'cy@example.com');
const userCommand = fc.oneof(
  fc.record({ type: fc.constant('CreateUser' as const), name: fc.constantFrom('Ann', 'Bob'), email }),
  fc.record({ type: fc.constant('UpdateUser' as const), email }),
  fc.record({ type: fc.constant('SetCookies' as const), cookies: fc.nat(20) }),
  fc.constant({ type: 'DeleteUser' as const }),
);
const step = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('todo' as const), list: fc.nat(5), command: todoCommand }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('user' as const), user: fc.nat(3), command: userCommand }) },
  // The runners catch up part-way, so later commands land on documents written in earlier batches.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('project' as const), batchSize: fc.integer({ min: 1, max: 8 }) }) },
);

describe('seed read models (property)', () => {
  it('after random command sequences over many todo lists and users, both equal the fold from scratch', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    const users = t.chronicle.aggregate(userAggregate);
    const seq = createSequencer(t.db, { lease: false, batchSize: 50 });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 40 }), async (steps) => {
        run++;
        for (const s of steps) {
          try {
            if (s.kind === 'todo') await todos.handle(`r${run}l${s.list}`, s.command);
            else if (s.kind === 'user') await users.handle(`r${run % 3}u${s.user}`, s.command);
            else {
              await seq.drain();
              await createProjectionRunner(t.db, todoSummaryProjection, { lease: false, batchSize: s.batchSize }).runOnce();
              await createProjectionRunner(t.db, userDirectoryProjection, { lease: false, batchSize: s.batchSize }).runOnce();
            }
          } catch (err) {
            if (!(err instanceof CommandRejectedError)) throw err;
          }
        }
        await seq.drain();
        for (const def of [todoSummaryProjection, userDirectoryProjection]) {
          await createProjectionRunner(t.db, def, { lease: false, batchSize: 7 }).drain();
          expect(await readModelOf(t.db, `${def.name}_v1`)).toEqual(await foldFromScratch(t.db, def));
        }
      }),
      { numRuns: 10 },
    );
    // Not a vacuous pass: the runs made real read models.
    expect(await t.db.collection('todo_summaries_v1').countDocuments()).toBeGreaterThan(5);
    expect(await t.db.collection('user_directory_v1').countDocuments()).toBeGreaterThan(2);
    // The seed queries the indexes of migration 007 serve.
    const busiest = await (await t.chronicle.projection(todoSummaryProjection).collection()).find({}).sort({ open: -1 }).limit(1).toArray();
    const fold = Object.values(await foldFromScratch(t.db, todoSummaryProjection)) as { open: number }[];
    expect(busiest[0]?.open).toBe(Math.max(...fold.map((d) => d.open)));
    const someone = (Object.values(await foldFromScratch(t.db, userDirectoryProjection)) as { email: string | null }[]).find((u) => u.email);
    if (someone) expect(await (await t.chronicle.projection(userDirectoryProjection).collection()).countDocuments({ email: someone.email })).toBeGreaterThan(0);
  });
});
