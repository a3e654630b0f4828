import type { Document, Filter, Sort } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { useChronicle } from '../support/chronicleFixture.js';

/*
 * The mongosh queries of docs/operations.md ("Inspecting events in mongosh"), run through the
 * driver with the same filters. Each must be backed by an index the migrations create. Where the
 * server reports index use in `explain` (MongoDB), the plan must use that index; FerretDB's SQLite
 * backend reports no index use (it evaluates filters by scanning), so there only the index's
 * existence is checked.
 */

const t = useChronicle(import.meta.filename);
let ferretdb = false;
const windowStart = new Date();

function indexesUsed(explain: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'indexName' && typeof x === 'string') found.push(x);
        else walk(x);
      }
    }
  };
  walk(explain);
  return found;
}

async function expectIndex(collection: string, name: string, key: Document) {
  const indexes = await t.db.collection(collection).listIndexes().toArray();
  expect(indexes.find((i) => i.name === name), `${collection} index ${name}`).toMatchObject({ key });
}

async function expectFindUses(collection: string, filter: Filter<Document>, sort: Sort, index: string) {
  if (ferretdb) return;
  const plan = await t.db.collection(collection).find(filter).sort(sort).explain('queryPlanner');
  expect(indexesUsed(plan), JSON.stringify(filter)).toContain(index);
}

beforeAll(async () => {
  const info = await t.db.admin().command({ buildInfo: 1 });
  ferretdb = typeof info.ferretdbVersion === 'string';
  if (ferretdb) console.info(`[inspection] ${String(info.ferretdbVersion)}: explain reports no index use on FerretDB, so only the indexes' existence is asserted`);
  const ev = (type: string, data: object) => ({ type, data });
  await t.chronicle.events.append('todos-kitchen', [ev('TodoCreated', { todoId: 'a', text: 'milk', completed: false }), ev('TodoCreated', { todoId: 'b', text: 'tea', completed: false })], { expectedVersion: 0 });
  await t.chronicle.events.append('todos-kitchen', [ev('TodoCompletedChanged', { todoId: 'a', completed: true })], { expectedVersion: 2 });
  await t.chronicle.events.append('todos-garden', [ev('TodoCreated', { todoId: 'c', text: 'weeds', completed: false })], { expectedVersion: 0 });
  await t.chronicle.events.append('user-alice', [ev('UserCreated', { name: 'Alice', email: 'a@example.com' }), ...[1, 2, 3, 4, 5].map((n) => ev('CookiesSet', { cookies: n }))], { expectedVersion: 0 });
  await t.chronicle.events.append('user-bob', [ev('UserCreated', { name: 'Bob', email: 'b@example.com' })], { expectedVersion: 0 });
  await t.chronicle.snapshots.save({ streamId: 'user-alice', version: 1, schemaVersion: 1, state: { status: 'active', name: 'Alice', email: 'a@example.com', cookies: 0 } });
  await t.chronicle.snapshots.save({ streamId: 'user-alice', version: 4, schemaVersion: 1, state: { status: 'active', name: 'Alice', email: 'a@example.com', cookies: 3 } });
});

describe('inspection queries from docs/operations.md', () => {
  it("a stream's history: events by streamId in version order", async () => {
    const filter = { streamId: 'todos-kitchen' };
    const commits = await t.db.collection('events').find(filter).sort({ version: 1 }).toArray();
    expect(commits.flatMap((c) => (c.events as { type: string }[]).map((e) => e.type))).toEqual(['TodoCreated', 'TodoCreated', 'TodoCompletedChanged']);
    const after = await t.db.collection('events').find({ streamId: 'todos-kitchen', version: { $gt: 2 } }).sort({ version: 1 }).toArray();
    expect(after.map((c) => c.version)).toEqual([3]);
    await expectIndex('events', 'stream_version', { streamId: 1, version: 1 });
    await expectFindUses('events', filter, { version: 1 }, 'stream_version');
  });

  it('all events of a type in a time window', async () => {
    const filter = { 'events.type': 'TodoCreated', recordedAt: { $gte: windowStart, $lt: new Date(Date.now() + 1_000) } };
    const commits = await t.db.collection('events').find(filter).sort({ recordedAt: 1 }).toArray();
    expect(commits.map((c) => c.streamId).sort()).toEqual(['todos-garden', 'todos-kitchen']);
    const none = await t.db.collection('events').countDocuments({ 'events.type': 'TodoCreated', recordedAt: { $lt: windowStart } });
    expect(none).toBe(0);
    await expectIndex('events', 'event_type_recorded_at', { 'events.type': 1, recordedAt: 1 });
    await expectFindUses('events', filter, { recordedAt: 1 }, 'event_type_recorded_at');
  });

  it("a user's latest snapshot", async () => {
    const filter = { streamId: 'user-alice', schemaVersion: 1 };
    const [latest] = await t.db.collection('snapshots').find(filter).sort({ version: -1 }).limit(1).toArray();
    expect(latest).toMatchObject({ version: 4, state: { cookies: 3 } });
    await expectIndex('snapshots', 'stream_schema_version', { streamId: 1, schemaVersion: 1, version: 1 });
    await expectFindUses('snapshots', filter, { version: -1 }, 'stream_schema_version');
  });

  it('streams lagging behind their snapshots', async () => {
    // Portable building blocks (what `chronicle streams --type user` does): heads of one type...
    const typeFilter = { streamType: 'user' };
    const heads = new Map<string, number>();
    for (const c of await t.db.collection('events').find(typeFilter, { projection: { _id: 0, streamId: 1, version: 1 } }).toArray()) {
      heads.set(String(c.streamId), Math.max(heads.get(String(c.streamId)) ?? 0, Number(c.version)));
    }
    // ...and the events since a stream's latest snapshot.
    const since = await t.db.collection('events').find({ streamId: 'user-alice', version: { $gt: 4 } }).toArray();
    expect(since.length).toBe(1);
    expect(Object.fromEntries(heads)).toEqual({ 'user-alice': 6, 'user-bob': 1 });
    await expectIndex('events', 'stream_type_recorded_at', { streamType: 1, recordedAt: 1 });
    await expectFindUses('events', typeFilter, {}, 'stream_type_recorded_at');
    if (ferretdb) return; // $max, $lookup and $subtract are MongoDB-only; FerretDB 1.24 rejects them.

    const threshold = 2;
    const lagging = await t.db
      .collection('events')
      .aggregate([
        { $match: { streamType: 'user' } },
        { $group: { _id: '$streamId', head: { $max: '$version' } } },
        {
          $lookup: {
            from: 'snapshots',
            localField: '_id',
            foreignField: 'streamId',
            as: 'snap',
            pipeline: [{ $match: { schemaVersion: 1 } }, { $sort: { version: -1 } }, { $limit: 1 }, { $project: { _id: 0, version: 1 } }],
          },
        },
        { $set: { snapshot: { $ifNull: [{ $first: '$snap.version' }, 0] } } },
        { $set: { lag: { $subtract: ['$head', '$snapshot'] } } },
        { $match: { lag: { $gte: threshold } } },
        { $project: { snap: 0 } },
        { $sort: { lag: -1 } },
      ])
      .toArray();
    expect(lagging).toEqual([{ _id: 'user-alice', head: 6, snapshot: 4, lag: 2 }]);
    const plan = await t.db.collection('events').aggregate([{ $match: { streamType: 'user' } }, { $group: { _id: '$streamId', head: { $max: '$version' } } }]).explain('queryPlanner');
    expect(indexesUsed(plan)).toContain('stream_type_recorded_at');
  });
});
