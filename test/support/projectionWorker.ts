// A projection runner in its own process, for tests that SIGKILL it. `hang` stops it dead after
// the first batch's documents are written and before its checkpoint moves; `free` runs on.
import { MongoClient } from 'mongodb';
import { createProjectionRunner } from '../../src/projections/projectionRunner.js';
import { counterProjection } from './counterProjection.js';

const [uri, dbName, name, mode, batchSize] = process.argv.slice(2);
if (!uri || !dbName || !name || !mode) throw new Error('usage: projectionWorker <uri> <db> <name> hang|free [batchSize]');
const client = await new MongoClient(uri).connect();
const runner = createProjectionRunner(client.db(dbName), counterProjection(1, { name }), {
  lease: { ttlMs: 1_500 },
  batchSize: Number(batchSize ?? 50),
  minPollMs: 5,
  maxPollMs: 50,
  async afterWrite(batch) {
    process.stdout.write(`WRITTEN ${batch.from} ${batch.to} ${batch.writes.length}\n`);
    if (mode === 'hang') await new Promise(() => {});
  },
});
runner.start();
await runner.done;
