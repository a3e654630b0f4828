// A separate process that appends 20-event batches and prints each acknowledgement,
// so a test can kill it with SIGKILL mid-write and check what the server kept.
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { createChronicle } from '../../src/chronicle.js';

const [uri, dbName, prefix, streamsArg] = process.argv.slice(2);
if (!uri || !dbName || !prefix) throw new Error('usage: appendWorker <uri> <db> <streamPrefix> [streams]');
const streams = Number(streamsArg ?? 3);
const client = new MongoClient(uri);
await client.connect();
const chronicle = createChronicle(client.db(dbName));
for (let i = 0; ; i++) {
  const streamId = `${prefix}-${i % streams}`;
  const commitId = randomUUID();
  const events = Array.from({ length: 20 }, (_, k) => ({ type: 'Tick', data: { batch: i, k, pad: 'x'.repeat(200) } }));
  const r = await chronicle.events.append(streamId, events, { expectedVersion: 'any', commitId });
  process.stdout.write(`ACK ${r.commitId} ${r.streamId} ${r.version}\n`);
}
