import type { Db } from 'mongodb';
import { ensureCollection } from './ensureCollection.js';

export const description = 'positions collection (the global log) and the index that finds un-numbered commits';

export async function up(db: Db): Promise<void> {
  await ensureCollection(db, 'positions');
  // `_id` is the position (unique by nature); a commit gets at most one. These two unique
  // indexes are the whole of the log's correctness: no clock, lease or update is trusted.
  await db.collection('positions').createIndex({ commitId: 1 }, { unique: true, name: 'commit_id' });
  // Un-numbered commits: `position` is null (new appends) or missing (v1 commits); `{position:
  // null}` matches both. Not unique: on MongoDB every null would collide, and on FerretDB
  // documents missing a field never do, so uniqueness here would mean different things.
  await db.collection('events').createIndex({ position: 1, recordedAt: 1 }, { name: 'position_recorded_at' });
}
