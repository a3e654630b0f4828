// A sequencer in its own process that stops dead right after inserting a batch's positions and
// before setting the copies, so a test can SIGKILL it in the middle of a batch.
import { MongoClient } from 'mongodb';
import { createSequencer } from '../../src/log/sequencer.js';

const [uri, dbName] = process.argv.slice(2);
if (!uri || !dbName) throw new Error('usage: sequencerWorker <uri> <db>');
const client = await new MongoClient(uri).connect();
const sequencer = createSequencer(client.db(dbName), {
  lease: false,
  async afterPositions(positions) {
    process.stdout.write(`POSITIONS ${positions.length}\n`);
    await new Promise(() => {});
  },
});
await sequencer.runOnce();
