import type { Db } from 'mongodb';
import { migrations } from '../../../migrations/index.js';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChronicle, type Chronicle } from '../../../src/chronicle.js';
import { todoListAggregate } from '../../../src/domain/index.js';
import { ConcurrencyError, StorageError } from '../../../src/errors.js';
import { driverMajor, otherDriver, otherDriverName } from '../../support/otherDriver.js';
import { useTestDatabase } from '../../support/testDatabase.js';

// An app brings its own MongoClient, possibly from another driver major than the one this
// package resolves. Errors from that client must be classified just the same.
const t = useTestDatabase(import.meta.filename);
let client: InstanceType<typeof otherDriver.MongoClient>;
let chronicle: Chronicle;

beforeAll(async () => {
  client = await new otherDriver.MongoClient(t.uri).connect();
  // The app's Db comes from another copy of the driver; only its shape is shared.
  chronicle = createChronicle(client.db(t.db.databaseName) as unknown as Db);
});
afterAll(async () => {
  await client.close();
});

describe(`a client from the other driver copy (${otherDriverName})`, () => {
  it('is really another copy and another major', () => {
    expect(otherDriver.MongoClient).not.toBe(MongoClient);
    expect(driverMajor(otherDriverName)).not.toBe(process.env.CHRONICLE_MONGODB_DRIVER === '7' ? 7 : 6);
  });

  it('migrations run concurrently and re-run (lock races and existing collections are recognised)', async () => {
    const results = await Promise.all([chronicle.migrate(), chronicle.migrate(), chronicle.migrate()]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(migrations.map((m) => m.id).sort());
    expect((await chronicle.migrate()).applied).toEqual([]);
  });

  it('a lost append race is a ConcurrencyError, never a StorageError', async () => {
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => chronicle.events.append('race-1', [{ type: 'Tick', data: { i } }], { expectedVersion: 0 })),
    );
    const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    expect(errors).toHaveLength(19);
    for (const err of errors) expect(err).toBeInstanceOf(ConcurrencyError);
    expect(await chronicle.events.version('race-1')).toBe(1);
  });

  it('an idempotent retry with the same commitId returns the first result', async () => {
    const first = await chronicle.events.append('idem-1', [{ type: 'Tick', data: {} }], { expectedVersion: 0, commitId: 'c-idem-1' });
    const again = await chronicle.events.append('idem-1', [{ type: 'Tick', data: {} }], { expectedVersion: 0, commitId: 'c-idem-1' });
    expect(again).toEqual(first);
  });

  it('handle retries lost races: ten concurrent commands on one aggregate all land', async () => {
    const todos = chronicle.aggregate(todoListAggregate, { maxAttempts: 50 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => todos.handle('shared', { type: 'CreateTodo', todoId: `t${i}`, text: `todo ${i}` })));
    const loaded = await todos.load('shared');
    expect(loaded.version).toBe(10);
    expect(loaded.state.todos).toHaveLength(10);
  });

  it('saving the same snapshot twice is a no-op, not an error', async () => {
    expect(await chronicle.snapshots.save({ streamId: 'snap-1', version: 1, schemaVersion: 1, state: { n: 1 } })).toEqual({ written: true });
    expect(await chronicle.snapshots.save({ streamId: 'snap-1', version: 1, schemaVersion: 1, state: { n: 1 } })).toEqual({ written: false });
  });

  it('a driver failure becomes a StorageError with the driver error as cause', async () => {
    const unreachable = new otherDriver.MongoClient('mongodb://127.0.0.1:9/', { serverSelectionTimeoutMS: 200 });
    try {
      const c = createChronicle(unreachable.db('nowhere') as unknown as Db);
      const err = await c.events.read('s-1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).cause).toMatchObject({ name: 'MongoServerSelectionError' });
    } finally {
      await unreachable.close();
    }
  });
});
