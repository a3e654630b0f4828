// A projection runner in its own process, for tests that SIGKILL or SIGSTOP it. `hang` stops it
// dead after the first batch's documents are written and before its checkpoint moves; `free`
// runs on; `pause` stops its first batch after the epoch check, before the writes, until a
// line arrives on stdin (the window of a holder paused past its lease).
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { createProjectionRunner } from '../../src/projections/projectionRunner.js';
import { counterProjection } from './counterProjection.js';

const [uri, dbName, name, mode, batchSize, ttlMs] = process.argv.slice(2);
if (!uri || !dbName || !name || !mode) throw new Error('usage: projectionWorker <uri> <db> <name> hang|free|pause [batchSize] [ttlMs]');
const client = await new MongoClient(uri).connect();
const lines = createInterface({ input: process.stdin });
let paused = false;
const runner = createProjectionRunner(client.db(dbName), counterProjection(1, { name }), {
  lease: { ttlMs: Number(ttlMs ?? 1_500) },
  batchSize: Number(batchSize ?? 50),
  minPollMs: 5,
  maxPollMs: 50,
  async beforeWrite(batch) {
    if (mode !== 'pause' || paused) return;
    paused = true;
    process.stdout.write(`BEFORE ${batch.from} ${batch.to} ${batch.writes.length}\n`);
    await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  },
  async afterWrite(batch) {
    process.stdout.write(`WRITTEN ${batch.from} ${batch.to} ${batch.writes.length}\n`);
    if (mode === 'hang') await new Promise(() => {});
  },
});
runner.start();
await runner.done;
