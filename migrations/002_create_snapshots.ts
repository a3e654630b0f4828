import type { Db } from 'mongodb';
import { ensureCollection } from './ensureCollection.js';

export const description = 'snapshots collection: one document per (stream, state schema, version)';

export async function up(db: Db): Promise<void> {
  await ensureCollection(db, 'snapshots');
  // Saving the same snapshot twice is a harmless duplicate-key no-op; "latest" is the
  // highest version for a schemaVersion, which this index serves in order.
  await db
    .collection('snapshots')
    .createIndex({ streamId: 1, schemaVersion: 1, version: 1 }, { unique: true, name: 'stream_schema_version' });
}
