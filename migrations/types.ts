import type { Db } from 'mongodb';

/** One schema step. `up` must be safe to re-run: a crash can interrupt it before it is recorded. */
export interface Migration {
  /** Sortable id, the file name without extension, e.g. `001_create_events`. */
  id: string;
  description: string;
  up(db: Db): Promise<void>;
}
