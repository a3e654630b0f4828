import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as domain from '../../src/domain/index.js';
import * as chronicle from '../../src/index.js';
import * as testing from '../../src/aggregates/testing/index.js';

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
    'migrate',
    'defineProjection',
    'ProjectionTimeoutError',
    'ProjectionFailedError',
    'startWorker',
    'createSequencer',
    'acquireLease',
    'readLease',
    'LeaseLostError',
    'EventRepository',
    'SnapshotRepository',
    'AggregateRepository',
  ])('exports %s', (name) => {
    expect(chronicle).toHaveProperty(name);
    expect((chronicle as Record<string, unknown>)[name]).toBeDefined();
  });

  // The root holds the library; the seed domains and the test helper have their own subpaths.
  it.each(['todoListAggregate', 'userAggregate', 'userAggregateV2', 'hasTodo', 'getTodo', 'allTodos', 'doneTodos', 'todoSummaryProjection', 'userDirectoryProjection'])('exports %s from chronicle-es/domain only', (name) => {
    expect((domain as Record<string, unknown>)[name]).toBeDefined();
    expect(chronicle).not.toHaveProperty(name);
  });

  it('exports given from chronicle-es/testing only', () => {
    expect(testing.given).toBeTypeOf('function');
    expect(chronicle).not.toHaveProperty('given');
  });

  it('the exports map points each subpath at its built module', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; bin: Record<string, string>; exports: Record<string, { import?: string } | string> };
    expect(pkg.name).toBe('chronicle-es');
    expect(pkg.bin).toEqual({ chronicle: './dist/src/cli/main.js' });
    expect(pkg.exports['.']).toMatchObject({ import: './dist/src/index.js' });
    expect(pkg.exports['./domain']).toMatchObject({ import: './dist/src/domain/index.js' });
    expect(pkg.exports['./testing']).toMatchObject({ import: './dist/src/aggregates/testing/index.js' });
    expect(pkg.exports['./testing/vitest']).toMatchObject({ import: './dist/src/testing/vitest.js' });
    expect(pkg.exports['./testing/global-setup']).toMatchObject({ import: './dist/src/testing/globalSetup.js' });
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
    expect(domain.todoListAggregate).toMatchObject({ type: 'todos', schemaVersion: 1 });
    expect(domain.userAggregate).toMatchObject({ type: 'user', schemaVersion: 1 });
    expect(domain.userAggregateV2).toMatchObject({ type: 'user', schemaVersion: 2 });
  });
});
