import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSequencer } from '../../../src/log/sequencer.js';
import { createProjectionRunner } from '../../../src/projections/projectionRunner.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { counterEvents, counterProjection } from '../../support/counterProjection.js';
import { foldFromScratch, readModelOf } from '../../support/projectionFold.js';

const t = useChronicle(import.meta.filename);
const workerFile = fileURLToPath(new URL('../../support/projectionWorker.ts', import.meta.url));

function spawnWorker(name: string, mode: 'hang' | 'free', batchSize: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', workerFile, t.uri, t.db.databaseName, name, mode, String(batchSize)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
  const written = (count: number) =>
    new Promise<string[]>((resolve, reject) => {
      let out = '';
      const lines: string[] = [];
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        let nl;
        while ((nl = out.indexOf('\n')) >= 0) {
          lines.push(out.slice(0, nl));
          out = out.slice(nl + 1);
          if (lines.length >= count) resolve(lines);
        }
      });
      child.once('exit', () => reject(new Error(`worker exited after ${lines.length} batches: ${stderr}`)));
    });
  return { child, exited, written };
}

async function kill(child: ChildProcess, exited: Promise<NodeJS.Signals | null>) {
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

async function append(from: number, to: number, accounts: number) {
  for (let i = from; i < to; i++) {
    const { streamId, events } = counterEvents(i, accounts);
    await t.chronicle.events.append(streamId, events, { expectedVersion: 'any' });
  }
}

describe('a projection worker killed with SIGKILL', () => {
  it('after its documents and before its checkpoint: the restarted runner converges, no event applied twice', async () => {
    const def = counterProjection(1, { name: 'killed' });
    await append(0, 120, 10);
    await createSequencer(t.db, { lease: false, batchSize: 50 }).drain();
    const w = spawnWorker('killed', 'hang', 50);
    const [line] = await w.written(1);
    await kill(w.child, w.exited);
    const [, from, to, writes] = line!.split(' ').map(Number);
    expect([from, to]).toEqual([1, 50]);
    expect(writes).toBeGreaterThan(0);
    // The crash window: documents written up to 50, checkpoint still at 0.
    expect((await t.chronicle.projection(def).status()).position).toBe(0);
    expect(await t.db.collection('killed_v1').countDocuments()).toBeGreaterThan(0);

    // A new runner under the lease (taken over once the dead holder's TTL ran out) re-reads
    // batch 1..50: the `_position` guards skip what was applied, and `applied` counters prove it.
    await append(120, 150, 10);
    const seq = createSequencer(t.db, { lease: false, batchSize: 50, minPollMs: 5, maxPollMs: 50 });
    seq.start();
    const runner = createProjectionRunner(t.db, def, { lease: { ttlMs: 1_500 }, batchSize: 50, minPollMs: 5, maxPollMs: 50 });
    runner.start();
    try {
      const last = await t.chronicle.events.append('acct-1', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 'any' });
      await t.chronicle.projection(def).waitFor(last.commitId, { timeoutMs: 20_000 });
    } finally {
      await runner.stop();
      await seq.stop();
    }
    expect(await readModelOf(t.db, 'killed_v1')).toEqual(await foldFromScratch(t.db, def));
  });

  it('killed at random points while writers append, restarted each time: equals the fold from scratch', async () => {
    const def = counterProjection(1, { name: 'chaos' });
    const seq = createSequencer(t.db, { lease: false, batchSize: 50, minPollMs: 5, maxPollMs: 50 });
    seq.start();
    try {
      let next = 0;
      for (let round = 0; round < 4; round++) {
        const writing = append(next, next + 60, 12);
        next += 60;
        const w = spawnWorker('chaos', 'free', 7);
        // Killed somewhere inside its work: after a varying number of batches, mid-batch or not.
        await w.written(1 + round * 2);
        await new Promise((r) => setTimeout(r, round * 13));
        await kill(w.child, w.exited);
        await writing;
      }
      const final = spawnWorker('chaos', 'free', 7);
      const last = await t.chronicle.events.append('acct-0', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 'any' });
      await t.chronicle.projection(def).waitFor(last.commitId, { timeoutMs: 30_000 });
      await kill(final.child, final.exited);
    } finally {
      await seq.stop();
    }
    expect(await readModelOf(t.db, 'chaos_v1')).toEqual(await foldFromScratch(t.db, def));
   }, 180_000);
});
