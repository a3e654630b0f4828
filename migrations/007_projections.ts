import type { Db } from 'mongodb';
import { ensureCollection } from './ensureCollection.js';

export const description = 'projections: checkpoints, tombstones, and the indexes of the seed read models (todo_summaries_v1, user_directory_v1)';

export async function up(db: Db): Promise<void> {
  await ensureCollection(db, 'projections');
  await ensureCollection(db, 'projection_tombstones');
  // `chronicle projections` and readers looking for the live version list the versions of a name.
  await db.collection('projections').createIndex({ name: 1, version: 1 }, { name: 'name_version' });
  // "Lists with the most open todos": sorted by the open count.
  await ensureCollection(db, 'todo_summaries_v1');
  await db.collection('todo_summaries_v1').createIndex({ open: -1 }, { name: 'open' });
  // "Who has this e-mail": not unique, since nothing stops two users from sharing one.
  await ensureCollection(db, 'user_directory_v1');
  await db.collection('user_directory_v1').createIndex({ email: 1 }, { name: 'email' });
}
