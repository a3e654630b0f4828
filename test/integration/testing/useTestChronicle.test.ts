import { describe, expect, it } from 'vitest';
import { todoListAggregate } from '../../../src/domain/index.js';
import { useTestChronicle } from '../../../src/testing/vitest.js';

// What an app's test file does with `chronicle-es/testing/vitest` (the package test installs it for real).
const a = useTestChronicle({ name: import.meta.filename });
const b = useTestChronicle({ name: 'second', migrate: false });

describe('useTestChronicle', () => {
  it('gives each call its own migrated database on the run server', async () => {
    expect(a.db.databaseName).toMatch(/^t_.*useTestChronicle_test_[0-9a-f]{6}$/);
    expect(a.db.databaseName).not.toBe(b.db.databaseName);
    const applied = await a.db.collection('migrations').countDocuments();
    expect(applied).toBeGreaterThan(0);
    expect(await b.db.collection('migrations').countDocuments()).toBe(0);
    const r = await a.chronicle.aggregate(todoListAggregate).handle('1', { type: 'CreateTodo', todoId: 'x', text: 'milk' });
    expect(r.version).toBe(1);
    expect(await b.chronicle.events.version('todos-1')).toBe(0);
  });

  it('refuses to be read before its beforeAll with a clear message', () => {
    // A helper created inside a test has not run its hooks.
    expect(() => useTestChronicle().chronicle).toThrow(/before its beforeAll ran/);
  });
});
