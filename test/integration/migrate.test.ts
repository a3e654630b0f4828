import { readdirSync } from 'node:fs';
import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { migrations, type Migration } from '../../migrations/index.js';
import { MigrationError } from '../../src/errors.js';
import { migrate } from '../../src/migrations/migrate.js';
import { useTestDatabase } from '../support/testDatabase.js';

const t = useTestDatabase(import.meta.filename);

function recording(order: string[], ids: string[], delayMs = 0): Migration[] {
  return ids.map((id) => ({
    id,
    description: `test ${id}`,
    async up(db: Db) {
      order.push(id);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      await db.collection('side_effects').insertOne({ id });
    },
  }));
}

describe('migrate', () => {
  it('lists every numbered file in migrations/', () => {
    const files = readdirSync(new URL('../../migrations/', import.meta.url)).filter((f) => /^\d{3}_.*\.ts$/.test(f));
    expect(migrations.map((m) => `${m.id}.ts`)).toEqual(files.sort());
  });

  it('applies the real migrations: collections and every index of the design', async () => {
    const db = t.client.db(`${t.db.databaseName}_real`);
    try {
      expect((await migrate(db)).applied).toEqual(['001_create_events', '002_create_snapshots', '003_inspection_indexes', '004_snapshot_job_runs', '005_global_log', '006_leases', '007_projections']);
      const eventIdx = await db.collection('events').indexes();
      const byName = Object.fromEntries(eventIdx.map((i) => [i.name, i]));
      expect(byName.chain).toMatchObject({ key: { streamId: 1, prev: 1 }, unique: true });
      expect(byName.stream_version).toMatchObject({ key: { streamId: 1, version: 1 }, unique: true });
      expect(byName.recorded_at).toMatchObject({ key: { recordedAt: 1 } });
      expect(byName.event_type).toMatchObject({ key: { 'events.type': 1 } });
      expect(byName.stream_type_recorded_at).toMatchObject({ key: { streamType: 1, recordedAt: 1 } });
      expect(byName.event_type_recorded_at).toMatchObject({ key: { 'events.type': 1, recordedAt: 1 } });
      expect((await db.collection('snapshot_job_runs').indexes()).find((i) => i.name === 'scope_started_at')).toMatchObject({ key: { scopes: 1, startedAt: -1 } });
      expect((await db.collection('positions').indexes()).find((i) => i.name === 'commit_id')).toMatchObject({ key: { commitId: 1 }, unique: true });
      expect(byName.position_recorded_at).toMatchObject({ key: { position: 1, recordedAt: 1 } });
      expect((await db.collection('leases').indexes()).find((i) => i.name === 'name_epoch')).toMatchObject({ key: { name: 1, epoch: -1 } });
      const snapIdx = await db.collection('snapshots').indexes();
      expect(snapIdx.find((i) => i.name === 'stream_schema_version')).toMatchObject({
        key: { streamId: 1, schemaVersion: 1, version: 1 },
        unique: true,
      });
      expect((await migrate(db)).applied).toEqual([]);
    } finally {
      await db.dropDatabase();
    }
  });

  it('applies in id order, records each, and a re-run is a no-op', async () => {
    const db = t.client.db(`${t.db.databaseName}_order`);
    const order: string[] = [];
    const list = recording(order, ['003_c', '001_a', '002_b']);
    expect((await migrate(db, { migrations: list })).applied).toEqual(['001_a', '002_b', '003_c']);
    expect(order).toEqual(['001_a', '002_b', '003_c']);
    const records = await db.collection('migrations').find({}).sort({ _id: 1 }).toArray();
    expect(records.map((r) => r._id)).toEqual(['001_a', '002_b', '003_c']);
    expect(records[0]?.appliedAt).toBeInstanceOf(Date);

    expect((await migrate(db, { migrations: list })).applied).toEqual([]);
    expect(order).toHaveLength(3);
    await db.dropDatabase();
  });

  it('lets two concurrent runners apply each migration exactly once', async () => {
    const db = t.client.db(`${t.db.databaseName}_conc`);
    const order: string[] = [];
    const list = recording(order, ['001_a', '002_b', '003_c'], 50);
    const [r1, r2, r3] = await Promise.all([
      migrate(db, { migrations: list }),
      migrate(db, { migrations: list }),
      migrate(db, { migrations: list }),
    ]);
    expect([...r1.applied, ...r2.applied, ...r3.applied].sort()).toEqual(['001_a', '002_b', '003_c']);
    expect(order).toEqual(['001_a', '002_b', '003_c']);
    expect(await db.collection('side_effects').countDocuments()).toBe(3);
    await db.dropDatabase();
  });

  it('takes over a stale lease left by a crashed runner', async () => {
    const db = t.client.db(`${t.db.databaseName}_stale`);
    const past = new Date(Date.now() - 1_000);
    await db.collection<{ _id: string; [k: string]: unknown }>('leases').insertOne({ _id: 'migrations#1', name: 'migrations', epoch: 1, holder: 'crashed', acquiredAt: past, expiresAt: past });
    const order: string[] = [];
    expect((await migrate(db, { migrations: recording(order, ['001_a']), lock: { waitMs: 2_000 } })).applied).toEqual(['001_a']);
    await db.dropDatabase();
  });

  it('waits for a live lease and gives up with a clear error', async () => {
    const db = t.client.db(`${t.db.databaseName}_live`);
    const now = new Date();
    await db
      .collection<{ _id: string; [k: string]: unknown }>('leases')
      .insertOne({ _id: 'migrations#1', name: 'migrations', epoch: 1, holder: 'busy-runner', acquiredAt: now, expiresAt: new Date(now.getTime() + 60_000) });
    const order: string[] = [];
    await expect(migrate(db, { migrations: recording(order, ['001_a']), lock: { waitMs: 500 } })).rejects.toThrow(MigrationError);
    await expect(migrate(db, { migrations: recording(order, ['001_a']), lock: { waitMs: 300 } })).rejects.toThrow(/busy-runner/);
    expect(order).toEqual([]);
    await db.dropDatabase();
  });

  it('records nothing for a failing migration and reports which one failed', async () => {
    const db = t.client.db(`${t.db.databaseName}_fail`);
    const bad: Migration = { id: '002_bad', description: 'fails', up: async () => { throw new Error('boom'); } };
    const order: string[] = [];
    await expect(migrate(db, { migrations: [...recording(order, ['001_a']), bad] })).rejects.toThrow(/migration 002_bad failed: boom/);
    expect((await db.collection('migrations').find({}).toArray()).map((r) => r._id)).toEqual(['001_a']);
    // The lock was released: the next run proceeds at once.
    expect((await migrate(db, { migrations: recording(order, ['001_a']), lock: { waitMs: 200 } })).applied).toEqual([]);
    await db.dropDatabase();
  });
});
