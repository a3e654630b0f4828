import { MongoNetworkError } from 'mongodb';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { AggregateDefinition } from '../../../src/aggregates/types.js';
import { internals } from '../../../src/chronicle.js';
import { todoListAggregate } from '../../../src/domain/index.js';
import { StorageError, ValidationError } from '../../../src/errors.js';
import { countRoundTrips, useChronicle } from '../../support/chronicleFixture.js';
import { counterAggregate, sleep } from '../../support/snapshotJobHelpers.js';

const t = useChronicle(import.meta.filename);
const commits = (streamId: string) => t.db.collection('events').countDocuments({ streamId });
const collection = () => internals.get(t.chronicle)!.events.collection;

describe('handle retried with a commandId', () => {
  it('returns the first result and writes nothing when the first insert landed but its reply was lost', async () => {
    const repo = t.chronicle.aggregate(counterAggregate('ack'));
    const col = collection();
    const insertOne = col.insertOne.bind(col);
    let attempts = 0;
    // The first insert lands, then the connection breaks and stays broken for the driver-level retries.
    const lost = vi.spyOn(col, 'insertOne').mockImplementation(async (...args) => {
      if (++attempts === 1) await insertOne(...args);
      throw new MongoNetworkError('connection reset by peer');
    });
    const first = await repo.handle('1', { type: 'Add', by: 5 }, { commandId: 'req-1' }).catch((e: unknown) => e);
    lost.mockRestore();
    expect(first).toBeInstanceOf(StorageError);
    expect(await commits('ack-1')).toBe(1);

    const retry = await repo.handle('1', { type: 'Add', by: 5 }, { commandId: 'req-1' });
    expect(retry.state).toEqual({ total: 5, events: 1 });
    expect(retry.version).toBe(1);
    expect(retry.events.map((e) => [e.version, e.type, e.data])).toEqual([[1, 'Added', { by: 5 }]]);
    expect(await commits('ack-1')).toBe(1);
    // A fresh repository (another process) derives the same commit id.
    const elsewhere = await t.chronicle.aggregate(counterAggregate('ack')).handle('1', { type: 'Add', by: 5 }, { commandId: 'req-1' });
    expect(elsewhere).toEqual(retry);
    expect(await commits('ack-1')).toBe(1);
  });

  it('finds the first commit after the stream moved on, returning the state as of that commit instead of deciding again', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    const created = await todos.handle('1', { type: 'CreateTodo', todoId: 'a', text: 'milk' }, { commandId: 'create-a' });
    await todos.handle('1', { type: 'ChangeTodoText', todoId: 'a', text: 'oat milk' }, { commandId: 'rename-a' });
    await todos.handle('1', { type: 'CreateTodo', todoId: 'b', text: 'tea' });
    await t.chronicle.snapshots.save({ streamId: 'todos-1', version: 3, schemaVersion: 1, state: (await todos.load('1')).state });
    // Deciding again would reject ("exists already"); the retry gets the first result instead.
    const retried = await todos.handle('1', { type: 'CreateTodo', todoId: 'a', text: 'milk' }, { commandId: 'create-a' });
    expect(retried).toEqual(created);
    expect(retried.state.todos.map((x) => x.text)).toEqual(['milk']);
    expect((await todos.handle('1', { type: 'ChangeTodoText', todoId: 'a', text: 'oat milk' }, { commandId: 'rename-a' })).version).toBe(2);
    expect(await commits('todos-1')).toBe(3);
    // The same commandId on another aggregate is another command.
    expect((await todos.handle('2', { type: 'CreateTodo', todoId: 'a', text: 'milk' }, { commandId: 'create-a' })).version).toBe(1);
  });

  it('lands once when retries race the first attempt, even if decide is not deterministic', async () => {
    type S = { nonces: number[] };
    const noisy: AggregateDefinition<S, { type: 'Go' }, { type: 'Went'; data: { nonce: number } }> = {
      type: 'noisy',
      schemaVersion: 1,
      initialState: () => ({ nonces: [] }),
      evolve: (s, e) => ({ nonces: [...s.nonces, e.data.nonce] }),
      decide: () => [{ type: 'Went', data: { nonce: Math.random() } }],
      commandSchema: z.object({ type: z.literal('Go') }),
      eventSchemas: { Went: z.object({ nonce: z.number() }) },
      stateSchema: z.object({ nonces: z.array(z.number()) }),
    };
    const col = collection();
    const insertOne = col.insertOne.bind(col);
    // Every insert is slow, so the attempts below overlap: each loads version 0 and decides.
    const slow = vi.spyOn(col, 'insertOne').mockImplementation(async (...args) => {
      await sleep(50);
      return insertOne(...args);
    });
    const results = await Promise.all(Array.from({ length: 4 }, () => t.chronicle.aggregate(noisy).handle('1', { type: 'Go' }, { commandId: 'go-1' })));
    slow.mockRestore();
    expect(await commits('noisy-1')).toBe(1);
    const [stored] = await t.chronicle.events.read('noisy-1');
    for (const r of results) {
      expect(r.version).toBe(1);
      expect(r.events.map((e) => e.data)).toEqual([stored?.data]);
      expect(r.state).toEqual({ nonces: [(stored?.data as { nonce: number }).nonce] });
    }
  });

  it('costs no extra latency: the lookup by commit id is sent with the load', async () => {
    const repo = t.chronicle.aggregate(counterAggregate('lat'));
    await repo.handle('1', { type: 'Add', by: 1 });
    const { commands } = await countRoundTrips(t.client, () => repo.handle('1', { type: 'Add', by: 1 }, { commandId: 'lat-2' }));
    // Three finds at once (snapshots, tail, the commit by id), then the insert: two latencies, as without a commandId.
    expect(commands).toEqual(['find', 'find', 'find', 'insert']);
    const retry = await countRoundTrips(t.client, () => repo.handle('1', { type: 'Add', by: 1 }, { commandId: 'lat-2' }));
    expect(retry.commands).toEqual(['find', 'find', 'find']);
    expect(retry.result.version).toBe(2);
  });

  it('keeps today\'s behaviour without a commandId, and validates the commandId', async () => {
    const repo = t.chronicle.aggregate(counterAggregate('plain'));
    await repo.handle('1', { type: 'Add', by: 5 });
    expect((await repo.handle('1', { type: 'Add', by: 5 })).state.total).toBe(10);
    await expect(repo.handle('1', { type: 'Add', by: 1 }, { commandId: '' })).rejects.toThrow(ValidationError);
    await expect(repo.handle('1', { type: 'Add', by: 1 }, { commandId: 'x'.repeat(201) })).rejects.toThrow(/commandId/);
    expect(await commits('plain-1')).toBe(2);
  });
});
