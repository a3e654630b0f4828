import { describe, expect, it } from 'vitest';
import { CorruptDocumentError } from '../../../src/errors.js';
import { todoListAggregate } from '../../../src/domain/index.js';
import { countRoundTrips, useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);

describe('loadMany', () => {
  it('loads many aggregates in two queries and equals loading each one', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    for (let s = 0; s < 6; s++) for (let i = 0; i <= s; i++) await todos.handle(`m${s}`, { type: 'CreateTodo', todoId: `t${i}`, text: `item ${i}` });
    const m3 = await todos.load('m3');
    await t.chronicle.snapshots.save({ streamId: 'todos-m3', version: 2, schemaVersion: 1, state: { todos: m3.state.todos.slice(0, 2) } });
    await t.chronicle.snapshots.save({ streamId: 'todos-m5', version: 6, schemaVersion: 1, state: (await todos.load('m5')).state });
    const ids = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'missing'];
    const r = await countRoundTrips(t.client, () => todos.loadMany(ids));
    expect(r.commands).toEqual(['find', 'find']);
    for (const id of ids) expect(r.result.get(id)).toEqual(await todos.load(id));
    expect(r.result.get('m3')).toMatchObject({ version: 4, snapshotVersion: 2, eventsReplayed: 2 });
    expect(r.result.get('m5')).toMatchObject({ version: 6, snapshotVersion: 6, eventsReplayed: 0 });
    expect(r.result.get('missing')).toMatchObject({ version: 0, snapshotVersion: null });
  });

  it('maps a stream that fails to its error and loads the others', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    await todos.handle('ok1', { type: 'CreateTodo', todoId: 'a', text: 'milk' });
    await t.chronicle.events.append('todos-broken', [{ type: 'TodoExploded', data: {} }], { expectedVersion: 0 });
    const r2 = await t.chronicle.events.append('todos-garbled', [{ type: 'TodoCreated', data: { todoId: 'a', text: 'x', completed: false } }], { expectedVersion: 0 });
    await t.db.collection('events').updateOne({ _id: r2.commitId as never }, { $set: { prev: 'zero' } });
    const out = await todos.loadMany(['ok1', 'broken', 'garbled']);
    expect(out.get('ok1')).toMatchObject({ version: 1 });
    expect(out.get('broken')).toBeInstanceOf(CorruptDocumentError);
    expect(String(out.get('broken'))).toMatch(/stream "todos-broken" version 1: event "TodoExploded"/);
    expect(out.get('garbled')).toBeInstanceOf(CorruptDocumentError);
  });
});
