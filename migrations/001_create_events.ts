import type { Db } from 'mongodb';
import { ensureCollection } from './ensureCollection.js';

export const description = 'events collection: the commit chain, stream reads, time and type inspection';

export async function up(db: Db): Promise<void> {
  await ensureCollection(db, 'events');
  const events = db.collection('events');
  // The chain: each observed stream version can be extended exactly once. This is the
  // concurrency guarantee, and the only one that holds on every server without transactions.
  await events.createIndex({ streamId: 1, prev: 1 }, { unique: true, name: 'chain' });
  // Reads after a snapshot, head lookups and exact expectedVersion checks; unique as a
  // second line of defence against two commits ending at the same version.
  await events.createIndex({ streamId: 1, version: 1 }, { unique: true, name: 'stream_version' });
  await events.createIndex({ recordedAt: 1 }, { name: 'recorded_at' });
  await events.createIndex({ 'events.type': 1 }, { name: 'event_type' });
}
