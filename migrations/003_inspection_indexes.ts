import type { Db } from 'mongodb';

export const description = 'events indexes for the snapshot job and inspection: stream type by time, event type by time';

export async function up(db: Db): Promise<void> {
  const events = db.collection('events');
  // The snapshot job's candidate discovery asks "commits of these stream types since T"; the
  // same index lists the streams of one type (its prefix) for `chronicle streams --type`.
  await events.createIndex({ streamType: 1, recordedAt: 1 }, { name: 'stream_type_recorded_at' });
  // "All TodoCreated events last Tuesday" is the inspection query people run most; with
  // `event_type` alone the server would scan every commit of that type to apply the window.
  await events.createIndex({ 'events.type': 1, recordedAt: 1 }, { name: 'event_type_recorded_at' });
}
