import { beforeAll, describe, expect, it } from 'vitest';
import { todoListAggregate } from '../../../src/domain/index.js';
import {
  AggregateRepository,
  createAggregateRepository,
  createChronicle,
  createEventRepository,
  createSnapshotRepository,
  EventRepository,
  SnapshotRepository,
  type AppendOptions,
  type AppendResult,
  type EventInput,
} from '../../../src/index.js';
import { listen } from '../../../src/log/appendNotifier.js';
import { migrate } from '../../../src/migrations/migrate.js';
import { useTestDatabase } from '../../support/testDatabase.js';

// The repositories as a DI container builds them: by class, over a Db, without createChronicle.
const t = useTestDatabase(import.meta.filename);
beforeAll(async () => {
  await migrate(t.db);
});

describe('repository classes constructed directly', () => {
  it('new EventRepository(db) appends and reads', async () => {
    const events = new EventRepository(t.db);
    const r = await events.append('note-1', [{ type: 'Noted', data: { text: 'a' } }, { type: 'Noted', data: { text: 'b' } }], { expectedVersion: 0 });
    expect(r).toMatchObject({ streamId: 'note-1', version: 2 });
    await events.append('note-1', [{ type: 'Noted', data: { text: 'c' } }], { expectedVersion: 2 });
    expect((await events.read('note-1')).map((e) => [e.version, e.data])).toEqual([
      [1, { text: 'a' }],
      [2, { text: 'b' }],
      [3, { text: 'c' }],
    ]);
    expect(await events.version('note-1')).toBe(3);
    const streamed: number[] = [];
    for await (const e of events.stream('note-1', { afterVersion: 1 })) streamed.push(e.version);
    expect(streamed).toEqual([2, 3]);
    await expect(events.append('note-1', [{ type: 'Noted', data: {} }], { expectedVersion: 2 })).rejects.toMatchObject({ code: 'CONCURRENCY' });
  });

  it('new SnapshotRepository(db, { keep }) saves, prunes and returns the latest', async () => {
    const snapshots = new SnapshotRepository(t.db, { keep: 2 });
    for (const version of [1, 2, 3]) expect(await snapshots.save({ streamId: 'snap-1', version, schemaVersion: 1, state: { n: version } })).toEqual({ written: true });
    expect(await snapshots.save({ streamId: 'snap-1', version: 3, schemaVersion: 1, state: { n: 3 } })).toEqual({ written: false });
    expect(await snapshots.latest('snap-1')).toMatchObject({ version: 3, state: { n: 3 } });
    expect((await snapshots.list('snap-1')).map((s) => s.version)).toEqual([3, 2]);
  });

  it('new AggregateRepository(definition, events, snapshots) handles commands and loads from a snapshot', async () => {
    const events = new EventRepository(t.db);
    const snapshots = new SnapshotRepository(t.db);
    const todos = new AggregateRepository(todoListAggregate, events, snapshots, { maxAttempts: 3 });
    expect(todos.definition).toBe(todoListAggregate);
    expect(todos.streamId('k')).toBe('todos-k');
    await todos.handle('k', { type: 'CreateTodo', todoId: 'a', text: 'milk' });
    const second = await todos.handle('k', { type: 'CreateTodo', todoId: 'b', text: 'eggs' }, { commandId: 'cmd-b' });
    expect(await todos.handle('k', { type: 'CreateTodo', todoId: 'b', text: 'eggs' }, { commandId: 'cmd-b' })).toEqual(second);
    const loaded = await todos.load('k');
    expect(loaded).toMatchObject({ version: 2, snapshotVersion: null, eventsReplayed: 2 });
    await snapshots.save({ streamId: 'todos-k', version: loaded.version, schemaVersion: todoListAggregate.schemaVersion, state: loaded.state });
    await todos.handle('k', { type: 'ChangeTodoCompleted', todoId: 'a', completed: true });
    // A second repository over the same stores sees what the first wrote, from the snapshot.
    const again = await new AggregateRepository(todoListAggregate, events, snapshots).load('k');
    expect(again).toMatchObject({ version: 3, snapshotVersion: 2, eventsReplayed: 1 });
    expect(again.state).toEqual((await todos.load('k')).state);
    expect((await events.read('todos-k')).map((e) => e.type)).toEqual(['TodoCreated', 'TodoCreated', 'TodoCompletedChanged']);
    expect((await todos.loadMany(['k', 'none'])).get('k')).toMatchObject({ version: 3 });
    expect((await todos.readEvents('k')).at(-1)).toMatchObject({ type: 'TodoCompletedChanged', data: { todoId: 'a', completed: true } });
  });

  it('a subclass is a repository too: its overrides see every append, including the aggregate path', async () => {
    const seen: string[] = [];
    class AuditedEvents extends EventRepository {
      override async append(streamId: string, events: EventInput[], opts: AppendOptions): Promise<AppendResult> {
        seen.push(streamId);
        return super.append(streamId, events, opts);
      }
    }
    const events = new AuditedEvents(t.db);
    const todos = new AggregateRepository(todoListAggregate, events, new SnapshotRepository(t.db));
    await todos.append('sub', [{ type: 'TodoCreated', data: { todoId: 'x', text: 'imported', completed: false } }], { expectedVersion: 0 });
    await todos.handle('sub', { type: 'ChangeTodoText', todoId: 'x', text: 'edited' });
    // `aggregate.append` goes through the public append; `handle` through the internal hot path.
    expect(seen).toEqual(['todos-sub']);
    expect((await todos.load('sub')).version).toBe(2);
  });

  it('an AggregateRepository over something that is not an EventRepository fails at construction with a TypeError', () => {
    const lookalike = { append: async () => ({}), read: async () => [], stream: async function* () {}, version: async () => 0 };
    expect(() => new AggregateRepository(todoListAggregate, lookalike as never, new SnapshotRepository(t.db))).toThrow(TypeError);
  });

  it('every append through a repository wakes an in-process listener (the sequencer) at once', async () => {
    let wakeUps = 0;
    const stop = listen(t.db, 'append', () => (wakeUps += 1));
    try {
      const events = new EventRepository(t.db);
      await events.append('wake-1', [{ type: 'A', data: {} }], { expectedVersion: 0 });
      expect(wakeUps).toBe(1);
      await new AggregateRepository(todoListAggregate, events, new SnapshotRepository(t.db)).handle('wake', { type: 'CreateTodo', todoId: 'a', text: 'x' });
      expect(wakeUps).toBe(2);
      await createChronicle(t.db).events.append('wake-2', [{ type: 'A', data: {} }], { expectedVersion: 0 });
      expect(wakeUps).toBe(3);
      await expect(events.append('wake-1', [{ type: 'A', data: {} }], { expectedVersion: 0 })).rejects.toMatchObject({ code: 'CONCURRENCY' });
      expect(wakeUps).toBe(3);
    } finally {
      stop();
    }
  });
});

describe('the facade wires the same classes', () => {
  it('createChronicle returns instances of the repository classes, and the create* functions build them', () => {
    const chronicle = createChronicle(t.db);
    expect(chronicle.events).toBeInstanceOf(EventRepository);
    expect(chronicle.snapshots).toBeInstanceOf(SnapshotRepository);
    expect(chronicle.aggregate(todoListAggregate)).toBeInstanceOf(AggregateRepository);
    const events = createEventRepository(t.db);
    const snapshots = createSnapshotRepository(t.db);
    expect(events).toBeInstanceOf(EventRepository);
    expect(snapshots).toBeInstanceOf(SnapshotRepository);
    expect(createAggregateRepository(todoListAggregate, events, snapshots)).toBeInstanceOf(AggregateRepository);
  });

  it('a repository from createChronicle and one built by class share one database', async () => {
    const chronicle = createChronicle(t.db);
    await chronicle.aggregate(todoListAggregate).handle('shared', { type: 'CreateTodo', todoId: 'a', text: 'milk' });
    const direct = new AggregateRepository(todoListAggregate, new EventRepository(t.db), new SnapshotRepository(t.db));
    expect(await direct.handle('shared', { type: 'CreateTodo', todoId: 'b', text: 'eggs' })).toMatchObject({ version: 2 });
    expect((await chronicle.aggregate(todoListAggregate).load('shared')).version).toBe(2);
  });
});
