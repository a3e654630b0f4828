/**
 * Defaults for every setting `src/config.ts` reads from the environment.
 * Change them here; each can be overridden by the environment variable named beside it.
 */
export const defaults = {
  /** CHRONICLE_DB */
  dbName: 'chronicle',
  /** CHRONICLE_SNAPSHOT_THRESHOLD: events since the latest snapshot that make a stream due. */
  snapshotThreshold: 100,
  /** CHRONICLE_SNAPSHOT_SCHEDULE: a cron expression (croner syntax, 5 or 6 fields) or an interval such as `30s`, `5m`, `1h`. */
  snapshotSchedule: '*/5 * * * *',
  /** CHRONICLE_SNAPSHOT_CONCURRENCY: streams snapshotted at once. */
  snapshotConcurrency: 4,
  /** CHRONICLE_SNAPSHOT_KEEP: snapshots kept per stream. */
  snapshotKeep: 3,
  /** CHRONICLE_LOG_LEVEL */
  logLevel: 'info',
  /** CHRONICLE_LOG_FORMAT: `auto` (readable lines on a terminal, JSON otherwise), `pretty` or `json`. */
  logFormat: 'auto',
} as const;
