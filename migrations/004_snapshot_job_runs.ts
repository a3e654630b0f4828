import type { Db } from 'mongodb';
import { ensureCollection } from './ensureCollection.js';

export const description = 'snapshot_job_runs collection: one insert-only record per completed snapshot job run (its checkpoint)';

export async function up(db: Db): Promise<void> {
  await ensureCollection(db, 'snapshot_job_runs');
  // A run's checkpoint for an aggregate is the newest record naming its scope ("user@1"):
  // equality on the multikey `scopes`, newest `startedAt` first.
  await db.collection('snapshot_job_runs').createIndex({ scopes: 1, startedAt: -1 }, { name: 'scope_started_at' });
}
