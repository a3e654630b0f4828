import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AggregateDefinition, AnyAggregateDefinition } from '../../../src/aggregates/types.js';
import { todoListAggregate, userAggregate, userAggregateV2 } from '../../../src/domain/index.js';
import { CommandRejectedError, ValidationError } from '../../../src/errors.js';
import { useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);

type Names = { names: string[] };
/** An event schema that normalises what it parses, as real schemas often do. */
const normalising: AggregateDefinition<Names, { type: 'Add'; name: string }, { type: 'Named'; data: { name: string } }> = {
  type: 'norm',
  schemaVersion: 1,
  initialState: () => ({ names: [] }),
  evolve: (s, e) => ({ names: [...s.names, e.data.name] }),
  decide: (c) => [{ type: 'Named', data: { name: c.name } }],
  commandSchema: z.object({ type: z.literal('Add'), name: z.string() }),
  eventSchemas: { Named: z.object({ name: z.string().trim().toLowerCase() }) },
  stateSchema: z.object({ names: z.array(z.string()) }),
};

describe('handle returns what the next load reproduces', () => {
  it('stores, evolves and returns the event as its schema parses it', async () => {
    const repo = t.chronicle.aggregate(normalising);
    const handled = await repo.handle('1', { type: 'Add', name: '  Bob ' });
    expect(handled.state).toEqual({ names: ['bob'] });
    expect(handled.events.map((e) => e.data)).toEqual([{ name: 'bob' }]);
    expect((await t.chronicle.events.read('norm-1')).map((e) => e.data)).toEqual([{ name: 'bob' }]);
    expect((await repo.load('1')).state).toEqual(handled.state);
    expect((await t.chronicle.aggregate(normalising).load('1')).state).toEqual(handled.state);
  });

  const todoId = fc.constantFrom('a', 'b', 'c');
  const text = fc.oneof(fc.constantFrom('milk', '  Milk ', 'tea\t', ' '), fc.string({ maxLength: 6 }));
  const todoCommand = fc.oneof(
    fc.record({ type: fc.constant('CreateTodo'), todoId, text }),
    fc.record({ type: fc.constant('ChangeTodoText'), todoId, text }),
    fc.record({ type: fc.constant('ChangeTodoCompleted'), todoId, completed: fc.boolean() }),
    fc.record({ type: fc.constant('DeleteTodo'), todoId }),
    fc.constant({ type: 'ClearDone' }),
  );
  const name = fc.oneof(fc.constantFrom('Ann', ' Bob  ', '\tcy', ''), fc.string({ maxLength: 5 }));
  const email = fc.constantFrom('ann@example.com', 'bob@example.org', 'not-an-email');
  const userCommand = fc.oneof(
    fc.record({ type: fc.constant('CreateUser'), name, email }),
    fc.record({ type: fc.constant('UpdateUser'), name, email }, { requiredKeys: ['type'] }),
    fc.record({ type: fc.constant('SetCookies'), cookies: fc.oneof(fc.nat(50), fc.constantFrom(-0, -1, 1.5)) }),
    fc.constant({ type: 'DeleteUser' }),
  );
  const cases: [string, AnyAggregateDefinition, fc.Arbitrary<unknown>][] = [
    ['todoListAggregate', todoListAggregate, todoCommand],
    ['userAggregate', userAggregate, userCommand],
    ['userAggregateV2', userAggregateV2, userCommand],
    ['a normalising event schema', normalising, fc.record({ type: fc.constant('Add'), name })],
  ];

  it.each(cases)('%s (property): after every handled command, load returns the state handle returned', async (label, definition, command) => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 12 }), async (commands) => {
        const id = `${label}-${run++}`;
        const repo = t.chronicle.aggregate(definition);
        for (const c of commands) {
          let handled;
          try {
            handled = await repo.handle(id, c);
          } catch (err) {
            if (err instanceof CommandRejectedError || err instanceof ValidationError) continue;
            throw err;
          }
          const loaded = await t.chronicle.aggregate(definition).load(id);
          expect(loaded.state).toEqual(handled.state);
          expect(loaded.version).toBe(handled.version);
          if (handled.events.length > 0) {
            const stored = await t.chronicle.events.read(repo.streamId(id), { afterVersion: handled.version - handled.events.length });
            expect(stored.map((e) => [e.version, e.type, e.data])).toEqual(handled.events.map((e) => [e.version, e.type, e.data]));
          }
        }
      }),
      { numRuns: 15 },
    );
  });
});
