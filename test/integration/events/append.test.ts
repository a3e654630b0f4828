import { describe, expect, it } from 'vitest';
import { ConcurrencyError, CorruptDocumentError, ValidationError } from '../../../src/errors.js';
import { countRoundTrips, useChronicle } from '../../support/chronicleFixture.js';
import { internals } from '../../../src/chronicle.js';

const t = useChronicle(import.meta.filename);
const ev = (type: string, data: unknown = {}) => ({ type, data });

describe('append and read', () => {
  it('stores one readable commit document per append and reads events back in order', async () => {
    const at = new Date('2026-03-04T05:06:07.000Z');
    const r1 = await t.chronicle.events.append('todos-1', [ev('TodoCreated', { todoId: 'a', text: 'milk', completed: false, at })], {
      expectedVersion: 0,
      metadata: { correlationId: 'c-1', actor: 'alice' },
    });
    expect(r1).toMatchObject({ streamId: 'todos-1', version: 1 });
    const r2 = await t.chronicle.events.append('todos-1', [ev('TodoTextChanged', { todoId: 'a', text: 'oat milk' }), ev('TodoDeleted', { todoId: 'a' })], {
      expectedVersion: 1,
      commitId: 'commit-two',
    });
    expect(r2).toEqual({ streamId: 'todos-1', version: 3, commitId: 'commit-two' });

    const raw = await t.db.collection('events').findOne({ _id: r1.commitId as never });
    expect(raw).toMatchObject({ streamId: 'todos-1', streamType: 'todos', prev: 0, version: 1, metadata: { correlationId: 'c-1', actor: 'alice' } });
    expect(raw?.recordedAt).toBeInstanceOf(Date);
    expect(raw?.events[0]).toMatchObject({ type: 'TodoCreated', schemaVersion: 1, version: 1, data: { todoId: 'a', text: 'milk', completed: false } });
    expect(raw?.events[0].data.at).toBeInstanceOf(Date);
    expect(raw?.events[0].meta).toBeUndefined();

    const events = await t.chronicle.events.read('todos-1');
    expect(events.map((e) => [e.version, e.type, e.commitId])).toEqual([
      [1, 'TodoCreated', r1.commitId],
      [2, 'TodoTextChanged', 'commit-two'],
      [3, 'TodoDeleted', 'commit-two'],
    ]);
    expect(events[0]?.data).toEqual({ todoId: 'a', text: 'milk', completed: false, at });
    expect(events[0]?.metadata).toEqual({ correlationId: 'c-1', actor: 'alice' });
    expect(events[1]?.metadata).toBeNull();
    expect(await t.chronicle.events.version('todos-1')).toBe(3);
    expect(await t.chronicle.events.version('todos-none')).toBe(0);
    expect(await t.chronicle.events.read('todos-none')).toEqual([]);
  });

  it('reads a version range, fetching only the commits that overlap it', async () => {
    const id = 'range-1';
    await t.chronicle.events.append(id, [ev('A'), ev('B'), ev('C')], { expectedVersion: 0 }); // 1..3
    await t.chronicle.events.append(id, [ev('D'), ev('E')], { expectedVersion: 3 }); // 4..5
    await t.chronicle.events.append(id, [ev('F')], { expectedVersion: 5 }); // 6
    const types = async (o: { afterVersion?: number; toVersion?: number }) => (await t.chronicle.events.read(id, o)).map((e) => e.type).join('');
    expect(await types({ afterVersion: 2 })).toBe('CDEF');
    expect(await types({ afterVersion: 2, toVersion: 4 })).toBe('CD');
    expect(await types({ toVersion: 1 })).toBe('A');
    expect(await types({ afterVersion: 6 })).toBe('');
    expect(await types({ afterVersion: 4, toVersion: 4 })).toBe('');

    const found: number[] = [];
    const listener = (e: { commandName: string; reply: { cursor?: { firstBatch?: unknown[] } } }) => {
      if (e.commandName === 'find') found.push(e.reply.cursor?.firstBatch?.length ?? -1);
    };
    t.client.on('commandSucceeded', listener);
    await t.chronicle.events.read(id, { afterVersion: 4, toVersion: 5 });
    t.client.off('commandSucceeded', listener);
    expect(found).toEqual([1]); // only the 4..5 commit
  });

  it('refuses made-up expected versions exactly and writes nothing', async () => {
    const id = 'exact-1';
    await t.chronicle.events.append(id, [ev('A')], { expectedVersion: 0 }); // 1
    await t.chronicle.events.append(id, [ev('B'), ev('C'), ev('D')], { expectedVersion: 1 }); // 2..4
    const before = await t.db.collection('events').countDocuments({ streamId: id });
    for (const expected of [0, 1, 2, 3, 5, 9]) {
      const err = await t.chronicle.events.append(id, [ev('X')], { expectedVersion: expected }).catch((e: unknown) => e);
      expect(err, `expectedVersion ${expected}`).toBeInstanceOf(ConcurrencyError);
      expect(err).toMatchObject({ code: 'CONCURRENCY', streamId: id, expectedVersion: expected, actualVersion: 4 });
    }
    expect(await t.db.collection('events').countDocuments({ streamId: id })).toBe(before);
    expect((await t.chronicle.events.append(id, [ev('E')], { expectedVersion: 4 })).version).toBe(5);
    expect((await t.chronicle.events.append(id, [ev('F')], { expectedVersion: 'any' })).version).toBe(6);
  });

  it('an expectedVersion 0 on an existing stream is a conflict', async () => {
    await t.chronicle.events.append('zero-1', [ev('A')], { expectedVersion: 0 });
    await expect(t.chronicle.events.append('zero-1', [ev('B')], { expectedVersion: 0 })).rejects.toMatchObject({ actualVersion: 1 });
  });

  it('treats a retried append with the same commitId as the first one', async () => {
    const id = 'idem-1';
    const first = await t.chronicle.events.append(id, [ev('A', { n: 1 }), ev('B', { at: new Date(5), big: 2n ** 40n })], { expectedVersion: 0, commitId: 'c-idem' });
    const again = await t.chronicle.events.append(id, [ev('A', { n: 1 }), ev('B', { at: new Date(5), big: 2n ** 40n })], { expectedVersion: 0, commitId: 'c-idem' });
    expect(again).toEqual(first);
    const anyAgain = await t.chronicle.events.append(id, [ev('A', { n: 1 }), ev('B', { at: new Date(5), big: 2n ** 40n })], { expectedVersion: 'any', commitId: 'c-idem' });
    expect(anyAgain).toEqual(first);
    // Even once the stream has moved on, a late retry is recognised.
    await t.chronicle.events.append(id, [ev('C')], { expectedVersion: 2 });
    expect(await t.chronicle.events.append(id, [ev('A', { n: 1 }), ev('B', { at: new Date(5), big: 2n ** 40n })], { expectedVersion: 0, commitId: 'c-idem' })).toEqual(first);
    expect(await t.db.collection('events').countDocuments({ streamId: id })).toBe(2);

    const otherEvents = await t.chronicle.events.append(id, [ev('A', { n: 2 })], { expectedVersion: 3, commitId: 'c-idem' }).catch((e: unknown) => e);
    expect(otherEvents).toBeInstanceOf(ValidationError);
    expect(String(otherEvents)).toMatch(/commitId "c-idem" was already used/);
    await expect(t.chronicle.events.append('idem-2', [ev('A', { n: 1 })], { expectedVersion: 0, commitId: 'c-idem' })).rejects.toThrow(ValidationError);
    expect(await t.chronicle.events.version('idem-2')).toBe(0);
  });

  it('costs one round trip on the aggregate path, two with an external expectedVersion, one per read', async () => {
    const store = internals.get(t.chronicle)!.events;
    const id = 'rt-1';
    const hot = await countRoundTrips(t.client, () => store.appendAtKnownVersion(id, [ev('A')], { expectedVersion: 0 }));
    expect(hot.commands).toEqual(['insert']);
    const ext = await countRoundTrips(t.client, () => t.chronicle.events.append(id, [ev('B')], { expectedVersion: 1 }));
    expect(ext.commands).toEqual(['find', 'insert']);
    const fresh = await countRoundTrips(t.client, () => t.chronicle.events.append('rt-2', [ev('B')], { expectedVersion: 0 }));
    expect(fresh.commands).toEqual(['insert']);
    expect((await countRoundTrips(t.client, () => t.chronicle.events.read(id))).commands).toEqual(['find']);
    expect((await countRoundTrips(t.client, () => t.chronicle.events.version(id))).commands).toEqual(['find']);
  });

  it('reports a hand-edited commit that no longer parses, naming stream and commit', async () => {
    const r = await t.chronicle.events.append('corrupt-1', [ev('A', { ok: true })], { expectedVersion: 0, commitId: 'c-corrupt' });
    await t.db.collection('events').updateOne({ _id: r.commitId as never }, { $set: { 'events.0.version': 'seven' } });
    const err = await t.chronicle.events.read('corrupt-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptDocumentError);
    expect(String((err as Error).message)).toMatch(/commit "c-corrupt" of stream "corrupt-1"/);

    const r2 = await t.chronicle.events.append('corrupt-2', [ev('A', new Map([['k', 1]]))], { expectedVersion: 0, commitId: 'c-corrupt-2' });
    await t.db.collection('events').updateOne({ _id: r2.commitId as never }, { $set: { 'events.0.meta': '{not json' } });
    await expect(t.chronicle.events.read('corrupt-2')).rejects.toThrow(/c-corrupt-2[\s\S]*version 1 \(A\)/);
  });
});
