import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSequencer } from '../../../src/log/sequencer.js';
import { createProjectionRunner } from '../../../src/projections/projectionRunner.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { counterEvents, counterProjection } from '../../support/counterProjection.js';
import { foldFromScratch, readModelOf } from '../../support/projectionFold.js';

const t = useChronicle(import.meta.filename);
const workerFile = fileURLToPath(new URL('../../support/projectionWorker.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function append(from: number, to: number, accounts: number) {
  for (let i = from; i < to; i++) {
    const { streamId, events } = counterEvents(i, accounts);
    await t.chronicle.events.append(streamId, events, { expectedVersion: 'any' });
  }
}

describe('two projection runners at once', () => {
  it('two runners started for one projection: one holds the lease, the other takes over when it stops mid-stream; the model equals the fold', async () => {
    const def = counterProjection(1, { name: 'twins' });
    const seq = createSequencer(t.db, { lease: false, batchSize: 50, minPollMs: 5, maxPollMs: 50 });
    seq.start();
    await append(0, 40, 6);
    const opts = { lease: { ttlMs: 1_500 }, minPollMs: 5, maxPollMs: 30 };
    const a = createProjectionRunner(t.db, def, { ...opts, batchSize: 5 });
    const b = createProjectionRunner(t.db, def, { ...opts, batchSize: 13 });
    a.start();
    b.start();
    try {
      const writing = append(40, 140, 6);
      while (!a.status().active && !b.status().active) await sleep(20);
      await sleep(300);
      expect([a.status().active, b.status().active].filter(Boolean)).toHaveLength(1);
      const [first, second] = a.status().active ? [a, b] : [b, a];
      await first.stop(); // in the middle of the stream: the other one goes on from its checkpoint
      await writing;
      const last = await t.chronicle.events.append('acct-0', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 'any' });
      await t.chronicle.projection(def).waitFor(last.commitId, { timeoutMs: 20_000 });
      expect(second.status().active).toBe(true);
      expect(first.status().batches).toBeGreaterThan(0);
      expect(second.status().batches).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.stop(), b.stop(), seq.stop()]);
    }
    expect(await readModelOf(t.db, 'twins_v1')).toEqual(await foldFromScratch(t.db, def));
  });

  it('a holder paused (SIGSTOP) past its lease TTL wakes up while its successor runs: it writes nothing stale, the model converges', async () => {
    const def = counterProjection(1, { name: 'paused' });
    const seq = createSequencer(t.db, { lease: false, batchSize: 50, minPollMs: 5, maxPollMs: 50 });
    seq.start();
    await append(0, 60, 8);
    const child = spawn(process.execPath, ['--import', 'tsx', workerFile, t.uri, t.db.databaseName, 'paused', 'free', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // Paused in the middle of its work (it writes a line per batch; 3 batches in).
    await new Promise<void>((resolve) => {
      let lines = 0;
      child.stdout.on('data', (b: Buffer) => {
        lines += b.toString().split('\n').length - 1;
        if (lines >= 3) resolve();
      });
    });
    child.kill('SIGSTOP');
    const successor = createProjectionRunner(t.db, def, { lease: { ttlMs: 1_500 }, batchSize: 20, minPollMs: 5, maxPollMs: 30 });
    successor.start();
    try {
      await append(60, 120, 8);
      await seq.drain();
      const mid = await t.chronicle.events.append('acct-0', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 'any' });
      await t.chronicle.projection(def).waitFor(mid.commitId, { timeoutMs: 20_000 });
      // The old holder wakes up with a batch folded from what it read before the pause.
      child.kill('SIGCONT');
      await sleep(1_000);
      await append(120, 140, 8);
      const last = await t.chronicle.events.append('acct-1', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 'any' });
      await t.chronicle.projection(def).waitFor(last.commitId, { timeoutMs: 20_000 });
      expect(successor.status().active).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await exited;
      await Promise.all([successor.stop(), seq.stop()]);
    }
    expect(await readModelOf(t.db, 'paused_v1')).toEqual(await foldFromScratch(t.db, def));
   }, 180_000);

  it('a holder paused after its epoch check writes a document its successor deleted: its mark makes the successor repair it', async () => {
    const def = counterProjection(1, { name: 'late' });
    const seq = createSequencer(t.db, { lease: false, batchSize: 50, minPollMs: 5, maxPollMs: 50 });
    seq.start();
    const child = spawn(process.execPath, ['--import', 'tsx', workerFile, t.uri, t.db.databaseName, 'late', 'pause', '50', '1500'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const successor = createProjectionRunner(t.db, def, { lease: { ttlMs: 1_500 }, minPollMs: 5, maxPollMs: 30 });
    try {
      // Its first batch holds one deposit: it will insert acct-x, stopped right before writing.
      await t.chronicle.events.append('acct-x', [{ type: 'Deposited', data: { amount: 5 } }], { expectedVersion: 0 });
      await new Promise<void>((resolve) => {
        let out = '';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('BEFORE')) resolve();
        });
      });
      child.kill('SIGSTOP');
      // Its lease runs out; the successor applies the deposit and the closing (a deletion).
      await t.chronicle.events.append('acct-x', [{ type: 'Closed', data: {} }], { expectedVersion: 1 });
      successor.start();
      const closed = await t.chronicle.events.append('acct-y', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 0 });
      await t.chronicle.projection(def).waitFor(closed.commitId, { timeoutMs: 20_000 });
      expect(await t.db.collection('late_v1').findOne({ _id: 'acct-x' as never })).toBeNull();
      // It wakes up and writes what it folded before the pause: acct-x is back, stale.
      child.kill('SIGCONT');
      child.stdin.write('go\n');
      for (let i = 0; i < 400; i++) {
        const rec = await t.db.collection('projections').findOne({ _id: 'late@1' as never });
        const x = await t.db.collection('late_v1').findOne({ _id: 'acct-x' as never });
        if (rec?.suspectFrom === null && !x && i > 20) break;
        await sleep(50);
      }
      const last = await t.chronicle.events.append('acct-y', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 1 });
      await t.chronicle.projection(def).waitFor(last.commitId, { timeoutMs: 20_000 });
    } finally {
      child.kill('SIGKILL');
      await exited;
      await Promise.all([successor.stop(), seq.stop()]);
    }
    expect(await readModelOf(t.db, 'late_v1')).toEqual(await foldFromScratch(t.db, def));
  }, 180_000);
});
