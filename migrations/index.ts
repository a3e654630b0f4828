import type { Migration } from './types.js';
import * as m001 from './001_create_events.js';
import * as m002 from './002_create_snapshots.js';
import * as m003 from './003_inspection_indexes.js';
import * as m004 from './004_snapshot_job_runs.js';
import * as m005 from './005_global_log.js';
import * as m006 from './006_leases.js';
import * as m007 from './007_projections.js';

export type { Migration } from './types.js';

/** Every migration, in the order they apply. A unit test checks this lists every numbered file. */
export const migrations: Migration[] = [
  { id: '001_create_events', ...m001 },
  { id: '002_create_snapshots', ...m002 },
  { id: '003_inspection_indexes', ...m003 },
  { id: '004_snapshot_job_runs', ...m004 },
  { id: '005_global_log', ...m005 },
  { id: '006_leases', ...m006 },
  { id: '007_projections', ...m007 },
];
