import type { CommandStartedEvent, CommandSucceededEvent } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { CommandRejectedError, CorruptDocumentError, ValidationError } from '../../../src/errors.js';
import { todoListAggregate, userAggregate, userAggregateV2 } from '../../../src/domain/index.js';
import { countRoundTrips, useChronicle } from '../../support/chronicleFixture.js';
import { spyLogger } from '../../support/spyLogger.js';

const logger = spyLogger();
const t = useChronicle(import.meta.filename, { logger });

describe('aggregate repository', () => {
  it('loads a missing aggregate as its initial state', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    expect(await todos.load('nobody')).toEqual({ id: 'nobody', state: { todos: [] }, version: 0, snapshotVersion: null, eventsReplayed: 0, position: null });
  });

  it('handles commands: decides, appends at the loaded version, returns events and state', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    const r1 = await todos.handle('h1', { type: 'CreateTodo', todoId: 'a', text: 'milk' }, { metadata: { actor: 'alice', correlationId: 'req-1' } });
    expect(r1.version).toBe(1);
    expect(r1.events).toMatchObject([{ streamId: 'todos-h1', version: 1, type: 'TodoCreated', data: { todoId: 'a', text: 'milk', completed: false }, metadata: { actor: 'alice' } }]);
    expect(r1.state).toEqual({ todos: [{ todoId: 'a', text: 'milk', completed: false }] });
    await todos.handle('h1', { type: 'ChangeTodoCompleted', todoId: 'a', completed: true });
    const cleared = await todos.handle('h1', { type: 'ClearDone' });
    expect(cleared.events.map((e) => e.type)).toEqual(['DoneCleared']);
    expect(cleared.state).toEqual({ todos: [] });
    const stored = await t.chronicle.events.read('todos-h1');
    expect(stored.map((e) => e.type)).toEqual(['TodoCreated', 'TodoCompletedChanged', 'DoneCleared']);
    expect(stored[0]?.metadata).toEqual({ actor: 'alice', correlationId: 'req-1' });
  });

  it('writes nothing for an invalid, a rejected or a no-op command', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    await todos.handle('h2', { type: 'CreateTodo', todoId: 'a', text: 'milk' });
    const invalid = await todos.handle('h2', { type: 'CreateTodo', todoId: '', text: 'x' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).issues[0]?.path).toEqual(['todoId']);
    await expect(todos.handle('h2', { type: 'Nonsense' } as never)).rejects.toThrow(ValidationError);
    await expect(todos.handle('h2', { type: 'CreateTodo', todoId: 'a', text: 'again' })).rejects.toThrow(CommandRejectedError);
    await expect(todos.handle('h2', { type: 'DeleteTodo', todoId: 'zzz' })).rejects.toThrow(CommandRejectedError);
    const noop = await todos.handle('h2', { type: 'ClearDone' });
    expect(noop).toEqual({ version: 1, commitId: null, events: [], state: { todos: [{ todoId: 'a', text: 'milk', completed: false }] } });
    expect(await t.chronicle.events.version('todos-h2')).toBe(1);
    const users = t.chronicle.aggregate(userAggregate);
    await expect(users.handle('u0', { type: 'CreateUser', name: 'A', email: 'not-an-email' })).rejects.toThrow(ValidationError);
    await expect(users.handle({ $gt: '' } as never, { type: 'DeleteUser' })).rejects.toThrow(/aggregate id/);
    expect(await t.chronicle.events.version('user-u0')).toBe(0);
  });

  it('starts from the latest snapshot and replays only the events after it', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    for (let i = 0; i < 6; i++) await todos.handle('s1', { type: 'CreateTodo', todoId: `t${i}`, text: `item ${i}` });
    const at4 = await t.chronicle.events.read('todos-s1', { toVersion: 4 });
    const state4 = at4.reduce((s, e) => todoListAggregate.evolve(s, e as never), todoListAggregate.initialState());
    await t.chronicle.snapshots.save({ streamId: 'todos-s1', version: 4, schemaVersion: 1, state: state4 });
    const loaded = await todos.load('s1');
    expect(loaded).toMatchObject({ version: 6, snapshotVersion: 4, eventsReplayed: 2 });
    expect(loaded.state.todos.map((x) => x.todoId)).toEqual(['t0', 't1', 't2', 't3', 't4', 't5']);
  });

  it('costs one round-trip latency per load with a short tail, and one more for the append in handle', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    await todos.handle('rt', { type: 'CreateTodo', todoId: 'a', text: 'milk' });
    // Both reads of a load are sent before either answers: one latency, two commands.
    const order: string[] = [];
    const started = (e: CommandStartedEvent) => e.commandName === 'find' && order.push('start');
    const done = (e: CommandSucceededEvent) => e.commandName === 'find' && order.push('done');
    t.client.on('commandStarted', started);
    t.client.on('commandSucceeded', done);
    const load = await countRoundTrips(t.client, () => todos.load('rt'));
    t.client.off('commandStarted', started);
    t.client.off('commandSucceeded', done);
    expect(load.commands).toEqual(['find', 'find']);
    expect(order).toEqual(['start', 'start', 'done', 'done']);

    const handle = await countRoundTrips(t.client, () => todos.handle('rt', { type: 'ChangeTodoText', todoId: 'a', text: 'oat milk' }));
    expect(handle.commands).toEqual(['find', 'find', 'insert']);
  });

  it('fetches the gap with one more read when the tail is longer than what the first read brings', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate, { tailCommits: 4 });
    for (let i = 0; i < 10; i++) await todos.handle('long', { type: 'CreateTodo', todoId: `t${i}`, text: `item ${i}` });
    const r = await countRoundTrips(t.client, () => todos.load('long'));
    expect(r.commands).toEqual(['find', 'find', 'find']);
    expect(r.result).toMatchObject({ version: 10, snapshotVersion: null, eventsReplayed: 10 });
    expect(r.result.state.todos).toHaveLength(10);
  });

  it('ignores snapshots of another schemaVersion, failing stateSchema, or ahead of the stream — with a log line', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    for (let i = 0; i < 5; i++) await todos.handle('stale', { type: 'CreateTodo', todoId: `t${i}`, text: `item ${i}` });
    const good = (await todos.load('stale')).state;
    const at2 = { todos: good.todos.slice(0, 2) };
    await t.chronicle.snapshots.save({ streamId: 'todos-stale', version: 2, schemaVersion: 1, state: at2 });
    await t.chronicle.snapshots.save({ streamId: 'todos-stale', version: 3, schemaVersion: 1, state: { todos: 'not a list' } });
    await t.chronicle.snapshots.save({ streamId: 'todos-stale', version: 4, schemaVersion: 99, state: { whatever: true } });
    logger.lines.length = 0;
    const loaded = await todos.load('stale');
    expect(loaded).toMatchObject({ version: 5, snapshotVersion: 2, eventsReplayed: 3 });
    expect(loaded.state).toEqual(good);
    expect(logger.lines.some((l) => l.level === 'warn' && /stateSchema/.test(l.msg ?? ''))).toBe(true);

    await t.chronicle.snapshots.save({ streamId: 'todos-stale', version: 50, schemaVersion: 1, state: { todos: [] } }, { keep: 10 });
    const again = await todos.load('stale');
    expect(again).toMatchObject({ version: 5, snapshotVersion: 2 });
    expect(logger.lines.some((l) => /ahead of its stream/.test(l.msg ?? ''))).toBe(true);

    // A hand-edited snapshot document that no longer parses is skipped too.
    await t.db.collection('snapshots').updateMany({ streamId: 'todos-stale', version: 2 }, { $set: { takenAt: 'yesterday' } });
    expect(await todos.load('stale')).toMatchObject({ version: 5, snapshotVersion: null, eventsReplayed: 5, state: good });
  });

  it('reports events that do not fit the definition with stream, version and type', async () => {
    const todos = t.chronicle.aggregate(todoListAggregate);
    await todos.handle('bad', { type: 'CreateTodo', todoId: 'a', text: 'milk' });
    await t.chronicle.events.append('todos-bad', [{ type: 'TodoExploded', data: {} }], { expectedVersion: 1 });
    const err = await todos.load('bad').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptDocumentError);
    expect((err as Error).message).toMatch(/stream "todos-bad" version 2: event "TodoExploded"/);

    await t.chronicle.events.append('todos-bad2', [{ type: 'TodoCreated', data: { todoId: 'a', text: 42 } }], { expectedVersion: 0 });
    await expect(todos.load('bad2')).rejects.toThrow(/stream "todos-bad2" version 1: event "TodoCreated"/);
    // Nothing is written when the load behind a command fails.
    await expect(todos.handle('bad2', { type: 'ClearDone' })).rejects.toThrow(CorruptDocumentError);
    expect(await t.chronicle.events.version('todos-bad2')).toBe(1);
  });

  it('bumping schemaVersion without migrateState ignores old snapshots and rebuilds the new state shape from the same events', async () => {
    const v1 = t.chronicle.aggregate(userAggregate);
    await v1.handle('42', { type: 'CreateUser', name: 'Ada', email: 'ada@example.com' });
    await v1.handle('42', { type: 'SetCookies', cookies: 7 });
    await v1.handle('42', { type: 'UpdateUser', name: 'Ada L.' });
    const s1 = await v1.load('42');
    await t.chronicle.snapshots.save({ streamId: 'user-42', version: s1.version, schemaVersion: 1, state: s1.state });
    expect((await v1.load('42')).snapshotVersion).toBe(3);

    // Without its migration (see schemaEvolution.test.ts for the migration itself).
    const { migrateState: _migration, ...noMigration } = userAggregateV2;
    const v2 = t.chronicle.aggregate(noMigration);
    const fresh = await v2.load('42');
    expect(fresh).toMatchObject({ version: 3, snapshotVersion: null, eventsReplayed: 3 });
    expect(JSON.stringify(fresh.state)).toContain('"cookies":7');
    expect(fresh.state).not.toHaveProperty('cookies');
    expect(userAggregateV2.stateSchema.safeParse(fresh.state).success).toBe(true);
    await t.chronicle.snapshots.save({ streamId: 'user-42', version: fresh.version, schemaVersion: 2, state: fresh.state });
    const fromV2 = await v2.load('42');
    expect(fromV2).toMatchObject({ snapshotVersion: 3, eventsReplayed: 0, state: fresh.state });
    await v2.handle('42', { type: 'SetCookies', cookies: 9 });
    expect(JSON.stringify((await v2.load('42')).state)).toContain('"cookies":9');
    expect((await v1.load('42')).state).toMatchObject({ cookies: 9 });
  });
});
