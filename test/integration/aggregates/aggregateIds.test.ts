import { describe, expect, it } from 'vitest';
import { todoListAggregate } from '../../../src/domain/index.js';
import { ValidationError } from '../../../src/errors.js';
import { useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);

describe('aggregate ids', () => {
  it.each([[''], [' '], ['\t \n']])('refuses %j with one clear message, and writes nothing', async (id) => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    const err = (await todos.handle(id, { type: 'CreateTodo', todoId: 'a', text: 'milk' }).catch((e: unknown) => e)) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/^invalid aggregate id: must not be empty or blank$/);
    await expect(todos.load(id)).rejects.toBeInstanceOf(ValidationError);
    expect(await t.db.collection('events').countDocuments()).toBe(0);
  });
});
