// A migration runner in its own process, so a test can freeze it with SIGSTOP inside `up()`
// (a VM pause, a long GC, a partition) and see what it does when it wakes up.
import { MongoClient } from 'mongodb';
import { migrate } from '../../src/migrations/migrate.js';

const [uri, dbName, ttlArg] = process.argv.slice(2);
if (!uri || !dbName) throw new Error('usage: migrationRunner <uri> <db> [ttlMs]');
const client = await new MongoClient(uri).connect();
const db = client.db(dbName);
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const slow = {
  id: '001_slow',
  description: 'slow',
  async up() {
    say({ event: 'up-start' });
    await new Promise((r) => setTimeout(r, 1500));
    await db.collection('side_effects').insertOne({ by: 'A' });
    say({ event: 'up-end' });
  },
};
try {
  const result = await migrate(db, { migrations: [slow], lock: { ttlMs: Number(ttlArg ?? 300), pollMs: 20, waitMs: 10_000 }, log: (msg) => say({ event: 'log', msg }) });
  say({ event: 'result', applied: result.applied });
} catch (err) {
  const e = err as Error & { code?: unknown };
  say({ event: 'error', name: e.constructor.name, code: e.code, message: e.message });
}
await client.close();
