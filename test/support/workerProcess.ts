// A Chronicle worker in its own process (sequencer lease TTL 1 s), so a test can SIGKILL the
// active holder and watch another instance take over.
import { MongoClient } from 'mongodb';
import { createChronicle } from '../../src/chronicle.js';
import { startWorker } from '../../src/worker/startWorker.js';

const [uri, dbName] = process.argv.slice(2);
if (!uri || !dbName) throw new Error('usage: workerProcess <uri> <db>');
const client = await new MongoClient(uri).connect();
const worker = startWorker(createChronicle(client.db(dbName)), { sequencer: { lease: { ttlMs: 1_000, holder: 'child' } } });
const timer = setInterval(() => {
  if (worker.status().sequencer?.active) {
    process.stdout.write('ACTIVE\n');
    clearInterval(timer);
  }
}, 20);
