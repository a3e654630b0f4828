import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAggregate } from '../../../src/aggregates/defineAggregate.js';
import type { AnyAggregateDefinition } from '../../../src/aggregates/types.js';
import { userAggregate, userAggregateV2 } from '../../../src/domain/index.js';
import { CorruptDocumentError } from '../../../src/errors.js';
import { runSnapshotJob } from '../../../src/jobs/runSnapshotJob.js';
import { countRoundTrips, useChronicle } from '../../support/chronicleFixture.js';
import { spyLogger } from '../../support/spyLogger.js';

const t = useChronicle(import.meta.filename);

/*
 * A meter whose `Added` event changed twice: v1 { amount } (grams), v2 { amount, unit },
 * v3 { quantity: { amount, unit } }. Its eventSchemas describe v3 only.
 */
const toV2 = (d: { amount: number }) => ({ amount: d.amount, unit: 'g' });
const toV3 = (d: { amount: number; unit: string }) => ({ quantity: { amount: d.amount, unit: d.unit } });
const meterAggregate = defineAggregate({
  type: 'meter',
  schemaVersion: 1,
  stateSchema: z.object({ grams: z.number() }),
  commandSchema: z.discriminatedUnion('type', [z.object({ type: z.literal('Add'), amount: z.number().positive(), unit: z.enum(['g', 'kg']) })]),
  eventSchemas: {
    Added: z.object({ quantity: z.object({ amount: z.number(), unit: z.enum(['g', 'kg']) }) }),
    Reset: z.object({}),
  },
  upcasters: { Added: { 1: toV2, 2: toV3 } },
  initialState: () => ({ grams: 0 }),
  evolve: (state, event) => (event.type === 'Reset' ? { grams: 0 } : { grams: state.grams + event.data.quantity.amount * (event.data.quantity.unit === 'kg' ? 1000 : 1) }),
  decide: (command) => [{ type: 'Added', data: { quantity: { amount: command.amount, unit: command.unit } } }],
});

const rawCommits = (streamId: string) => t.db.collection('events').find({ streamId }, { projection: { _id: 0, events: 1, version: 1 } }).sort({ version: 1 }).toArray();

/** A user with `events` events (UserCreated, then CookiesSet), appended in commits of 100. */
async function seedUser(id: string, events: number) {
  const all = [{ type: 'UserCreated', data: { name: id, email: `${id}@example.com` } }, ...Array.from({ length: events - 1 }, (_, i) => ({ type: 'CookiesSet', data: { cookies: (i % 50) + 1 } }))];
  for (let i = 0; i < all.length; i += 100) await t.chronicle.events.append(`user-${id}`, all.slice(i, i + 100), { expectedVersion: i });
}

/** userAggregateV2 as it would be without its state migration: the baseline a migration improves on. */
const { migrateState: _migration, ...userV2WithoutMigration } = userAggregateV2;

describe('event upcasting', () => {
  it('load, loadMany and handle read v1 and v2 events through the upcasters; appends store v3; stored events stay as they were', async () => {
    await t.chronicle.events.append(
      'meter-a',
      [
        { type: 'Added', data: { amount: 5 } },
        { type: 'Added', data: { amount: 2, unit: 'kg' }, schemaVersion: 2 },
        { type: 'Added', data: { quantity: { amount: 1, unit: 'g' } }, schemaVersion: 3 },
      ],
      { expectedVersion: 0 },
    );
    const before = await rawCommits('meter-a');
    const meters = t.chronicle.aggregate(meterAggregate);
    expect(await meters.load('a')).toMatchObject({ state: { grams: 2006 }, version: 3, eventsReplayed: 3 });
    expect((await meters.loadMany(['a'])).get('a')).toMatchObject({ state: { grams: 2006 }, version: 3 });

    const handled = await meters.handle('a', { type: 'Add', amount: 3, unit: 'g' });
    expect(handled.state).toEqual({ grams: 2009 });
    expect(handled.events).toMatchObject([{ type: 'Added', schemaVersion: 3, version: 4, data: { quantity: { amount: 3, unit: 'g' } } }]);

    const after = await rawCommits('meter-a');
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.at(-1)?.events).toMatchObject([{ type: 'Added', schemaVersion: 3, version: 4 }]);
    // The event store itself returns what is stored.
    expect((await t.chronicle.events.read('meter-a')).map((e) => [e.schemaVersion, e.data])).toEqual([
      [1, { amount: 5 }],
      [2, { amount: 2, unit: 'kg' }],
      [3, { quantity: { amount: 1, unit: 'g' } }],
      [3, { quantity: { amount: 3, unit: 'g' } }],
    ]);
  });

  it('the snapshot job reads old events through the upcasters', async () => {
    await t.chronicle.events.append('meter-job', Array.from({ length: 12 }, () => ({ type: 'Added', data: { amount: 10 } })), { expectedVersion: 0 });
    const report = await runSnapshotJob(t.chronicle, { aggregates: [meterAggregate], threshold: 10, concurrency: 1, full: true });
    expect(report.failed).toEqual([]);
    expect(await t.chronicle.snapshots.latest('meter-job', { schemaVersion: 1 })).toMatchObject({ version: 12, state: { grams: 120 } });
  });

  it('an event stored with a newer schema version than the code knows fails clearly, in loads, commands and the job', async () => {
    await t.chronicle.events.append('meter-new', [{ type: 'Added', data: { amount: 1, unit: 'g', precision: 2 }, schemaVersion: 4 }], { expectedVersion: 0 });
    const meters = t.chronicle.aggregate(meterAggregate);
    const message = /^stream "meter-new" version 1: event "Added" has schema version 4, but aggregate "meter" knows versions up to 3; was it written by newer code\?$/;
    await expect(meters.load('new')).rejects.toThrow(CorruptDocumentError);
    await expect(meters.load('new')).rejects.toThrow(message);
    await expect(meters.handle('new', { type: 'Add', amount: 1, unit: 'g' })).rejects.toThrow(message);
    expect(await t.chronicle.events.version('meter-new')).toBe(1);
    expect((await meters.loadMany(['new'])).get('new')).toBeInstanceOf(CorruptDocumentError);
    const report = await runSnapshotJob(t.chronicle, { aggregates: [meterAggregate], threshold: 1, concurrency: 1, full: true });
    expect(report.failed).toContainEqual({ streamId: 'meter-new', error: expect.stringMatching(message), code: 'CORRUPT_DOCUMENT' });
  });

  it('an event with no upcaster path from its stored version, or whose upcaster throws, fails clearly', async () => {
    await t.chronicle.events.append('meter-gap', [{ type: 'Added', data: { amount: 1 } }], { expectedVersion: 0 });
    // Hand-written (defineAggregate refuses gaps): only the step from version 2, so version 1 has no path.
    const gappy: AnyAggregateDefinition = { ...meterAggregate, upcasters: { Added: { 2: toV3 } } };
    await expect(t.chronicle.aggregate(gappy).load('gap')).rejects.toThrow(
      /^stream "meter-gap" version 1: event "Added" has schema version 1, and aggregate "meter" has no upcaster from version 1 \(current: 2\)$/,
    );
    const throwing: AnyAggregateDefinition = { ...meterAggregate, upcasters: { Added: { 1: () => { throw new Error('no unit known'); }, 2: toV3 } } };
    const err = await t.chronicle.aggregate(throwing).load('gap').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptDocumentError);
    expect((err as Error).message).toBe('stream "meter-gap" version 1: event "Added" has schema version 1: the upcaster from version 1 failed: no unit known');
    expect((err as Error).cause).toBeInstanceOf(Error);
  });
});

describe('state migration (userAggregate → userAggregateV2)', () => {
  async function userWithV1Snapshot(id: string) {
    await seedUser(id, 1000);
    const v1 = await t.chronicle.aggregate(userAggregate).load(id);
    expect(v1).toMatchObject({ version: 1000, eventsReplayed: 1000 });
    await t.chronicle.snapshots.save({ streamId: `user-${id}`, version: 1000, schemaVersion: 1, state: v1.state });
    await t.chronicle.events.append(`user-${id}`, [1, 2, 3, 4, 5].map((n) => ({ type: 'CookiesSet', data: { cookies: 100 + n } })), { expectedVersion: 1000 });
  }

  it('a load after the bump starts from the migrated v1 snapshot and replays only the tail', async () => {
    await userWithV1Snapshot('big');
    const full = await t.chronicle.aggregate(userV2WithoutMigration).load('big');
    expect(full).toMatchObject({ version: 1005, snapshotVersion: null, eventsReplayed: 1005 });

    const migrated = await t.chronicle.aggregate(userAggregateV2).load('big');
    expect(migrated).toMatchObject({ version: 1005, snapshotVersion: 1000, eventsReplayed: 5, migratedFromSchemaVersion: 1 });
    expect(migrated.state).toEqual(full.state);
    expect(migrated.state).toEqual({ status: 'active', name: 'big', email: 'big@example.com', preferences: { cookies: 105 } });

    const many = (await t.chronicle.aggregate(userAggregateV2).loadMany(['big'])).get('big');
    expect(many).toMatchObject({ version: 1005, snapshotVersion: 1000, eventsReplayed: 5, migratedFromSchemaVersion: 1, state: full.state });
    // Nothing was written by loading.
    expect(await t.chronicle.snapshots.latest('user-big', { schemaVersion: 2 })).toBeNull();
  });

  it('the snapshot job writes a snapshot of the new schema from the migrated one, so later loads need no migration', async () => {
    await userWithV1Snapshot('job');
    const report = await runSnapshotJob(t.chronicle, { aggregates: [userAggregateV2], threshold: 100, concurrency: 1, full: true });
    expect(report.failed).toEqual([]);
    // Only 5 events since the v1 snapshot, below the threshold, yet written: the state had to be migrated.
    expect(await t.chronicle.snapshots.latest('user-job', { schemaVersion: 2 })).toMatchObject({ version: 1005, state: { preferences: { cookies: 105 } } });
    const loaded = await t.chronicle.aggregate(userAggregateV2).load('job');
    expect(loaded).toMatchObject({ snapshotVersion: 1005, eventsReplayed: 0 });
    expect(loaded).not.toHaveProperty('migratedFromSchemaVersion');
    // The v1 snapshot is still there for code that still runs version 1.
    expect(await t.chronicle.snapshots.latest('user-job', { schemaVersion: 1 })).toMatchObject({ version: 1000 });
  });

  it('a migration that throws falls back to a full replay with a log line', async () => {
    await userWithV1Snapshot('oops');
    const logger = spyLogger();
    const broken = { ...userAggregateV2, migrateState: { 1: () => { throw new Error('cannot read cookies'); } } };
    const loaded = await t.chronicle.aggregate(broken, { logger }).load('oops');
    expect(loaded).toMatchObject({ version: 1005, snapshotVersion: null, eventsReplayed: 1005 });
    expect(loaded.state).toEqual({ status: 'active', name: 'oops', email: 'oops@example.com', preferences: { cookies: 105 } });
    expect(logger.lines).toContainEqual({
      level: 'warn',
      msg: 'state migration from schema version 1 failed; not using this snapshot (older snapshot or full replay instead)',
      obj: { streamId: 'user-oops', snapshotVersion: 1000, fromSchemaVersion: 1, toSchemaVersion: 2, step: 1, error: 'cannot read cookies' },
    });
    // A migration whose result fails the new stateSchema is refused the same way.
    const wrongShape = { ...userAggregateV2, migrateState: { 1: (s: object) => s } };
    const again = await t.chronicle.aggregate(wrongShape, { logger }).load('oops');
    expect(again).toMatchObject({ snapshotVersion: null, eventsReplayed: 1005 });
    expect(logger.lines.some((l) => l.msg === 'a migrated snapshot fails stateSchema; not using it (older snapshot or full replay instead)')).toBe(true);
  });

  it('a stream without an older snapshot pays the extra lookup on its first load only', async () => {
    await seedUser('young', 3);
    const v1 = await countRoundTrips(t.client, () => t.chronicle.aggregate(userAggregate).load('young'));
    const repo = t.chronicle.aggregate(userAggregateV2);
    const first = await countRoundTrips(t.client, () => repo.load('young'));
    const second = await countRoundTrips(t.client, () => repo.load('young'));
    expect(first.commands).toEqual([...v1.commands, 'find']);
    expect(second.commands).toEqual(v1.commands);
    expect(second.result).toMatchObject({ version: 3, snapshotVersion: null, eventsReplayed: 3 });
  });
});
