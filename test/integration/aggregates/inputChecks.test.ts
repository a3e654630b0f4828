import { describe, expect, it } from 'vitest';
import { todoListAggregate } from '../../../src/domain/index.js';
import { ValidationError } from '../../../src/errors.js';
import { useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);

describe('options and ids a hostile caller passes', () => {
  it('refuses a maxAttempts that is not a whole number of at least 1, when the repository is made', () => {
    for (const maxAttempts of [0, -1, 1.5, Number.NaN]) {
      expect(() => t.chronicle.aggregate(todoListAggregate, { maxAttempts })).toThrow(ValidationError);
    }
    expect(() => t.chronicle.aggregate(todoListAggregate, { maxAttempts: 3 })).not.toThrow();
  });

  it('refuses aggregate.append without options with a ValidationError, writing nothing', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    const event = { type: 'TodoCreated', data: { todoId: 'a', text: 'milk', completed: false } } as const;
    await expect(todos.append('no-opts', [event], undefined as never)).rejects.toThrow(ValidationError);
    expect(await t.chronicle.events.version('todos-no-opts')).toBe(0);
  });

  it('refuses a blank stream id on the raw event store, as aggregates refuse a blank id', async () => {
    await expect(t.chronicle.events.append('   ', [{ type: 'A', data: {} }], { expectedVersion: 0 })).rejects.toThrow(ValidationError);
    await expect(t.chronicle.events.read('  ')).rejects.toThrow(/blank/);
  });
});
