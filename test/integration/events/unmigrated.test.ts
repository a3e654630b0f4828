import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChronicle, type Chronicle } from '../../../src/chronicle.js';
import { ConfigError } from '../../../src/errors.js';
import { todoListAggregate } from '../../../src/domain/index.js';
import { countRoundTrips, useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);
let bare: Db;
let chronicle: Chronicle;
const collections = async () => (await bare.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();

beforeAll(() => {
  bare = t.client.db(`${t.db.databaseName}_bare`);
  chronicle = createChronicle(bare);
});
afterAll(async () => {
  await bare.dropDatabase().catch(() => {});
});

describe('a database that was never migrated', () => {
  it('refuses appends, handles and snapshot saves with a ConfigError saying to run migrate(), and creates nothing', async () => {
    const a = chronicle.events.append('acct-1', [{ type: 'Deposited', data: { by: 'A' } }], { expectedVersion: 0 });
    const b = chronicle.events.append('acct-1', [{ type: 'Deposited', data: { by: 'B' } }], { expectedVersion: 0 });
    for (const result of await Promise.allSettled([a, b])) {
      expect(result.status).toBe('rejected');
      const err = (result as PromiseRejectedResult).reason as Error;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toMatch(/is not migrated[\s\S]*Run migrate\(\)/);
    }
    await expect(chronicle.events.append('acct-1', [{ type: 'Deposited', data: {} }], { expectedVersion: 'any' })).rejects.toThrow(ConfigError);
    await expect(chronicle.aggregate(todoListAggregate).handle('1', { type: 'CreateTodo', todoId: 'a', text: 'milk' })).rejects.toThrow(ConfigError);
    await expect(chronicle.snapshots.save({ streamId: 'acct-1', version: 1, schemaVersion: 1, state: {} })).rejects.toThrow(ConfigError);
    expect(await collections()).toEqual([]);
  });

  it('works once migrate() has run, checking once per repository: the first append costs one more command', async () => {
    await chronicle.migrate();
    const first = await countRoundTrips(t.client, () => chronicle.events.append('acct-1', [{ type: 'Deposited', data: { by: 'A' } }], { expectedVersion: 0 }));
    expect(first.commands).toEqual(['listIndexes', 'insert']);
    const second = await countRoundTrips(t.client, () => chronicle.events.append('acct-2', [{ type: 'Deposited', data: { by: 'A' } }], { expectedVersion: 0 }));
    expect(second.commands).toEqual(['insert']);
    await expect(chronicle.events.append('acct-1', [{ type: 'Deposited', data: { by: 'B' } }], { expectedVersion: 0 })).rejects.toMatchObject({ code: 'CONCURRENCY' });
  });

  it('shares one check among the first concurrent writes of a fresh repository', async () => {
    const fresh = createChronicle(bare);
    const { commands } = await countRoundTrips(t.client, () =>
      Promise.all(Array.from({ length: 5 }, (_, i) => fresh.events.append(`par-${i}`, [{ type: 'A', data: {} }], { expectedVersion: 0 }))),
    );
    expect(commands.filter((c) => c === 'listIndexes')).toHaveLength(1);
    expect(commands.filter((c) => c === 'insert')).toHaveLength(5);
  });
});
