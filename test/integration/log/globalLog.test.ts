import { describe, expect, it } from 'vitest';
import { todoListAggregate } from '../../../src/domain/index.js';
import { ValidationError } from '../../../src/errors.js';
import { createSequencer } from '../../../src/log/sequencer.js';
import { migrate } from '../../../src/migrations/migrate.js';
import { countRoundTrips, useChronicle } from '../../support/chronicleFixture.js';
import { expectIntactLog } from '../../support/logIntegrity.js';

const t = useChronicle(import.meta.filename);
const ev = (type: string, data: unknown = {}) => ({ type, data });

describe('the global log', () => {
  it('numbers commits after the fact: appends store position null in one insert, the sequencer numbers them, readers see the order', async () => {
    const log = t.chronicle.log;
    expect(await log.head()).toBe(0);
    expect(await log.read()).toEqual([]);
    expect(await log.pending()).toEqual({ count: 0, oldestRecordedAt: null });

    const rt = await countRoundTrips(t.client, () => t.chronicle.events.append('acct-1', [ev('Opened'), ev('Deposited', { n: 5 })], { expectedVersion: 0 }));
    expect(rt.commands).toEqual(['insert']);
    const ids = [rt.result.commitId];
    for (let i = 0; i < 5; i++) ids.push((await t.chronicle.events.append(`acct-${i % 2}`, [ev('Deposited', { n: i })], { expectedVersion: 'any' })).commitId);
    expect((await t.db.collection('events').findOne({ _id: ids[0] as never }))?.position).toBeNull();
    expect((await t.chronicle.events.read('acct-1'))[0]?.position).toBeNull();
    expect(await log.positionOf(ids[0]!)).toBeNull();
    const pending = await log.pending();
    expect(pending.count).toBe(6);
    expect(pending.oldestRecordedAt).toBeInstanceOf(Date);

    const seq = createSequencer(t.db, { lease: false });
    expect(await seq.drain()).toBe(6);
    expect(await log.head()).toBe(6);
    expect(await log.pending()).toEqual({ count: 0, oldestRecordedAt: null });
    const all = await log.read({ after: 0, limit: 100 });
    expect(all.map((c) => c.position)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.map((c) => c.commitId)).toEqual(ids);
    expect(all[0]).toMatchObject({ commitId: ids[0], streamId: 'acct-1', streamType: 'acct', version: 2, metadata: null });
    expect(all[0]?.events.map((e) => [e.type, e.version, e.position])).toEqual([
      ['Opened', 1, 1],
      ['Deposited', 2, 1],
    ]);
    expect(await log.read({ after: 2, limit: 2 })).toEqual(all.slice(2, 4));
    expect(await log.read({ after: 6 })).toEqual([]);
    expect(await log.positionOf(ids[3]!)).toBe(4);
    expect(await log.positionOf('no-such-commit')).toBeNull();
    // The copies: events.read and the stored documents carry the position too.
    expect((await t.chronicle.events.read('acct-1')).map((e) => e.position)).toEqual([1, 1, 3, 5]);
    await expectIntactLog(t.db);
  });

  it('aggregate loads return the position of the commit they ended at', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    await todos.handle('pos-1', { type: 'CreateTodo', todoId: 'a', text: 'milk' } as never);
    expect((await todos.load('pos-1')).position).toBeNull();
    await createSequencer(t.db, { lease: false }).drain();
    const loaded = await todos.load('pos-1');
    expect(loaded.position).toBe(await t.chronicle.log.head());
    expect((await todos.loadMany(['pos-1'])).get('pos-1')).toMatchObject({ position: loaded.position });
  });

  it('reads a commit through positions when its copy lags, and stops before a position not visible yet', async () => {
    const r = await t.chronicle.events.append('lag-1', [ev('A')], { expectedVersion: 0 });
    await createSequencer(t.db, { lease: false }).drain();
    const head = await t.chronicle.log.head();
    await t.db.collection('events').updateOne({ _id: r.commitId as never }, { $set: { position: null } });
    const [last] = await t.chronicle.log.read({ after: head - 1 });
    expect(last).toMatchObject({ position: head, commitId: r.commitId });
    expect(last?.events[0]?.position).toBe(head);
    // The sequencer repairs the copy; a position beyond a hole is not returned until the hole fills.
    const seq = createSequencer(t.db, { lease: false });
    expect((await seq.runOnce()).repaired).toBe(1);
    expect((await t.chronicle.events.read('lag-1'))[0]?.position).toBe(head);
    await t.db.collection('positions').insertOne({ _id: head + 2, commitId: 'future', streamId: 'x', version: 1, recordedAt: new Date() } as never);
    expect(await t.chronicle.log.read({ after: head })).toEqual([]);
    await t.db.collection('positions').deleteOne({ _id: head + 2 } as never);
  });

  it('numbers a v1 database (commits without a position field) in recordedAt order, each stream in version order', async () => {
    const db = t.client.db(`${t.db.databaseName}_v1`);
    try {
      await migrate(db);
      const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
      const commit = (id: string, streamId: string, prev: number, s: number) => ({
        _id: id,
        streamId,
        streamType: streamId.split('-')[0],
        prev,
        version: prev + 1,
        events: [{ id: `${id}e`, type: 'T', schemaVersion: 1, version: prev + 1, data: {} }],
        recordedAt: at(s),
      });
      // b-1's second commit has an older recordedAt than its first (a writer with a slow clock),
      // and a batch of 2 does not hold its first commit.
      await db.collection('events').insertMany([commit('c1', 'a-1', 0, 10), commit('c2', 'b-1', 0, 30), commit('c3', 'b-1', 1, 5), commit('c4', 'a-1', 1, 20)] as never[]);
      await createSequencer(db, { lease: false, batchSize: 2 }).drain();
      const order = (await db.collection('positions').find().sort({ _id: 1 }).toArray()).map((p) => p.commitId);
      expect(order).toEqual(['c2', 'c1', 'c3', 'c4']);
      await expectIntactLog(db);
    } finally {
      await db.dropDatabase();
    }
  });

  it('numbers a backlog of more than a hundred commits in one pass (FerretDB hangs on an update command of 100 statements)', async () => {
    const db = t.client.db(`${t.db.databaseName}_big`);
    try {
      await migrate(db);
      await db.collection('events').insertMany(
        Array.from({ length: 150 }, (_, i) => ({
          _id: `big-${i}`,
          streamId: `big-${i}`,
          streamType: 'big',
          prev: 0,
          version: 1,
          events: [{ id: `e${i}`, type: 'T', schemaVersion: 1, version: 1, data: {} }],
          recordedAt: new Date(),
          position: null,
        })) as never[],
      );
      const r = await createSequencer(db, { lease: false }).runOnce();
      expect(r).toMatchObject({ seen: 150, numbered: 150, repaired: 0, head: 150 });
      expect(await expectIntactLog(db)).toBe(150);
    } finally {
      await db.dropDatabase();
    }
  }, 30_000);

  it('refuses bad read options with a ValidationError', async () => {
    await expect(t.chronicle.log.read({ after: -1 })).rejects.toThrow(ValidationError);
    await expect(t.chronicle.log.read({ limit: 0 })).rejects.toThrow(/limit/);
    await expect(t.chronicle.log.read({ after: '3' } as never)).rejects.toThrow(ValidationError);
    await expect(t.chronicle.log.positionOf({ $gt: '' } as never)).rejects.toThrow(ValidationError);
  });
});
