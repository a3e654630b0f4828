import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createChronicle } from '../../../src/chronicle.js';
import { todoListAggregate } from '../../../src/domain/index.js';
import { readLease } from '../../../src/leases/lease.js';
import { startWorker, type Worker } from '../../../src/worker/startWorker.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { expectIntactLog } from '../../support/logIntegrity.js';

const t = useChronicle(import.meta.filename);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const childScript = fileURLToPath(new URL('../../support/workerProcess.ts', import.meta.url));

async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  while (!(await cond())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
  return Date.now() - started;
}

describe('startWorker', () => {
  it('two workers: one active per part (sequencer, snapshot job), commits numbered, snapshots written, stop releases', async () => {
    const client = await new MongoClient(t.uri).connect();
    const workers: Worker[] = [];
    try {
      const todos = t.chronicle.aggregate(todoListAggregate);
      for (let i = 0; i < 3; i++) await todos.handle('w-1', { type: 'CreateTodo', todoId: `t${i}`, text: 'x' });
      const snapshots = { schedule: '1h', job: { aggregates: [todoListAggregate], threshold: 2, concurrency: 1 } };
      const options = { sequencer: { lease: { ttlMs: 2_000 } }, snapshots: { ...snapshots, leaseTtlMs: 2_000 }, projections: [] };
      workers.push(startWorker(t.chronicle, options), startWorker(createChronicle(client.db(t.db.databaseName)), options));
      await until('both parts active somewhere', () => workers.some((w) => w.status().sequencer?.active) && workers.some((w) => w.status().snapshots?.active));
      await sleep(300);
      expect(workers.filter((w) => w.status().sequencer?.active)).toHaveLength(1);
      expect(workers.filter((w) => w.status().snapshots?.active)).toHaveLength(1);
      await until('the snapshot job ran', () => workers.some((w) => w.status().snapshots?.lastReport !== null));
      expect(await t.db.collection('snapshots').countDocuments({ streamId: 'todos-w-1' })).toBe(1);
      await until('commits numbered', async () => (await t.chronicle.log.pending()).count === 0);
      expect(workers.map((w) => w.status().projections)).toEqual([{ configured: 0, runners: [] }, { configured: 0, runners: [] }]);

      // Stopping the active sequencer's worker hands the part to the other one at once (released, not expired).
      const active = workers.find((w) => w.status().sequencer?.active)!;
      const standby = workers.find((w) => w !== active)!;
      await active.stop();
      const handover = await until('the standby takes the sequencer', () => standby.status().sequencer?.active === true);
      expect(handover).toBeLessThan(1_500);
      await t.chronicle.events.append('after-1', [{ type: 'A', data: {} }], { expectedVersion: 0 });
      await until('numbered by the new holder', async () => (await t.chronicle.log.pending()).count === 0);
      await expectIntactLog(t.db);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await client.close();
    }
    expect(await readLease(t.db, 'sequencer')).toMatchObject({ expired: true });
  });

  it('a SIGKILLed holder is replaced within its lease TTL', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, t.uri, t.db.databaseName], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.once('exit', r));
    let standby: Worker | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => (b.toString().includes('ACTIVE') ? resolve() : undefined));
        child.once('exit', () => reject(new Error('worker process exited')));
      });
      standby = startWorker(t.chronicle, { sequencer: { lease: { ttlMs: 1_000 } } });
      await sleep(1_500);
      expect(standby.status().sequencer?.active).toBe(false);
      expect(await readLease(t.db, 'sequencer')).toMatchObject({ holder: 'child', expired: false });
      child.kill('SIGKILL');
      await exited;
      const takeover = await until('the standby takes over', () => standby?.status().sequencer?.active === true);
      // TTL 1 s plus one poll (a quarter of the TTL) and some slack for a busy machine.
      expect(takeover).toBeLessThan(2_500);
      await t.chronicle.events.append('killed-1', [{ type: 'A', data: {} }], { expectedVersion: 0 });
      await until('numbered after the takeover', async () => (await t.chronicle.log.pending()).count === 0);
    } finally {
      child.kill('SIGKILL');
      await standby?.stop();
    }
  });
});
