import type { Db } from 'mongodb';
import { ensureCollection } from './ensureCollection.js';

export const description = 'leases collection: insert-only "<name>#<epoch>" epochs for the sequencer, projections, jobs and migrations';

export async function up(db: Db): Promise<void> {
  // The migration runner's own lease may have created the collection already.
  await ensureCollection(db, 'leases');
  // The newest epoch of a lease; correctness rests on the unique `_id` alone.
  await db.collection('leases').createIndex({ name: 1, epoch: -1 }, { name: 'name_epoch' });
}
