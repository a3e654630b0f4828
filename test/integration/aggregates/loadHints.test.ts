import type { CommandStartedEvent } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { todoListAggregate } from '../../../src/domain/index.js';
import { countRoundTrips, useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);

/** The filters of the `find`s sent to `events` while `fn` runs. */
async function eventFilters(fn: () => Promise<unknown>): Promise<unknown[]> {
  const filters: unknown[] = [];
  const listener = (e: CommandStartedEvent) => {
    if (e.commandName === 'find' && e.command.find === 'events') filters.push(e.command.filter);
  };
  t.client.on('commandStarted', listener);
  try {
    await fn();
  } finally {
    t.client.off('commandStarted', listener);
  }
  return filters;
}

describe('aggregate loads after a snapshot (repository hints)', () => {
  it('a repeated load reads only the events after the snapshot it started from, still in one round trip', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    for (let i = 0; i < 6; i++) await todos.handle('h', { type: 'CreateTodo', todoId: `t${i}`, text: `item ${i}` });
    await t.chronicle.snapshots.save({ streamId: 'todos-h', version: 6, schemaVersion: 1, state: (await todos.load('h')).state });
    expect(await todos.load('h')).toMatchObject({ version: 6, snapshotVersion: 6, eventsReplayed: 0 });

    const again = await countRoundTrips(t.client, () => todos.load('h'));
    expect(again.commands).toEqual(['find', 'find']);
    expect(again.result).toMatchObject({ version: 6, snapshotVersion: 6, eventsReplayed: 0 });
    // From the commit that ends at the snapshot (version 6) on: its id is checked against the snapshot's lineage.
    expect(await eventFilters(() => todos.load('h'))).toEqual([{ streamId: 'todos-h', version: { $gt: 5 } }]);

    await todos.handle('h', { type: 'CreateTodo', todoId: 't6', text: 'item 6' });
    const after = await todos.load('h');
    expect(after).toMatchObject({ version: 7, snapshotVersion: 6, eventsReplayed: 1 });
    expect(after.state.todos.map((x) => x.todoId)).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
  });

  it('stays exact when the remembered snapshot is gone, invalid, or superseded', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    const fresh = () => t.chronicle.aggregate(todoListAggregate).load('g');
    for (let i = 0; i < 5; i++) await todos.handle('g', { type: 'CreateTodo', todoId: `t${i}`, text: `item ${i}` });
    await t.chronicle.snapshots.save({ streamId: 'todos-g', version: 4, schemaVersion: 1, state: (await t.chronicle.aggregate(todoListAggregate).load('g')).state });
    expect(await todos.load('g')).toMatchObject({ snapshotVersion: 4 });

    // Gone: the load falls back to a full replay and fetches what lies before the remembered version.
    await t.db.collection('snapshots').deleteMany({ streamId: 'todos-g' });
    expect(await todos.load('g')).toEqual(await fresh());
    expect(await todos.load('g')).toMatchObject({ version: 5, snapshotVersion: null, eventsReplayed: 5 });

    // Superseded: a newer snapshot is used, and the events between the two are not replayed.
    await t.chronicle.snapshots.save({ streamId: 'todos-g', version: 2, schemaVersion: 1, state: { todos: (await fresh()).state.todos.slice(0, 2) } });
    expect(await todos.load('g')).toMatchObject({ version: 5, snapshotVersion: 2, eventsReplayed: 3 });
    await t.chronicle.snapshots.save({ streamId: 'todos-g', version: 5, schemaVersion: 1, state: (await fresh()).state });
    expect(await todos.load('g')).toMatchObject({ version: 5, snapshotVersion: 5, eventsReplayed: 0 });

    // Invalid: a remembered snapshot that no longer parses is skipped for an older one.
    await t.db.collection('snapshots').updateMany({ streamId: 'todos-g', version: 5 }, { $set: { state: { todos: 'broken' } } });
    const loaded = await todos.load('g');
    expect(loaded).toMatchObject({ version: 5, snapshotVersion: 2, eventsReplayed: 3 });
    expect(loaded.state).toEqual((await fresh()).state);
  });
});
