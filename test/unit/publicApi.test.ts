import { describe, expect, it } from 'vitest';
import * as chronicle from '../../src/index.js';

// Other programs are built against these names (DESIGN.md, Public surface): renaming one breaks them.
describe('public API', () => {
  it.each([
    'connect',
    'createChronicle',
    'ChronicleError',
    'ConcurrencyError',
    'ValidationError',
    'CommandRejectedError',
    'defineAggregate',
    'given',
    'todoListAggregate',
    'userAggregate',
    'hasTodo',
    'getTodo',
    'allTodos',
    'doneTodos',
    'migrate',
    'defineProjection',
    'todoSummaryProjection',
    'userDirectoryProjection',
    'ProjectionTimeoutError',
    'ProjectionFailedError',
    'startWorker',
    'createSequencer',
    'acquireLease',
    'readLease',
    'LeaseLostError',
  ])('exports %s', (name) => {
    expect(chronicle).toHaveProperty(name);
    expect((chronicle as Record<string, unknown>)[name]).toBeDefined();
  });

  it('errors form one hierarchy with stable codes', () => {
    const c = new chronicle.ConcurrencyError('s-1', 3, 5);
    expect(c).toBeInstanceOf(chronicle.ChronicleError);
    expect(c).toMatchObject({ code: 'CONCURRENCY', streamId: 's-1', expectedVersion: 3, actualVersion: 5 });
    expect(new chronicle.ValidationError('x')).toMatchObject({ code: 'VALIDATION', issues: [] });
    expect(new chronicle.CommandRejectedError('no')).toMatchObject({ code: 'COMMAND_REJECTED', reason: 'no' });
    const cause = new Error('driver');
    expect(new chronicle.StorageError('wrapped', { cause }).cause).toBe(cause);
  });

  it('the aggregates carry the stream types and schema versions of the design', () => {
    expect(chronicle.todoListAggregate).toMatchObject({ type: 'todos', schemaVersion: 1 });
    expect(chronicle.userAggregate).toMatchObject({ type: 'user', schemaVersion: 1 });
    expect(chronicle.userAggregateV2).toMatchObject({ type: 'user', schemaVersion: 2 });
  });
});
