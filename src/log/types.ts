import type { EventMetadata, RecordedEvent } from '../events/types.js';

/** One commit (one append) at its place in the global log. */
export interface LoggedCommit {
  /** 1, 2, 3, … with no gaps: the commit's place in the order of all commits. */
  position: number;
  commitId: string;
  streamId: string;
  streamType: string;
  /** Stream version after this commit. */
  version: number;
  /** The commit's events, each carrying `position`. */
  events: RecordedEvent[];
  recordedAt: Date;
  metadata: EventMetadata | null;
}

/** Commits not numbered yet: what an operator alerts on. */
export interface PendingCommits {
  count: number;
  /** `recordedAt` of the oldest un-numbered commit; null when none. */
  oldestRecordedAt: Date | null;
}

/** Options of `log.read`. */
export interface LogReadOptions {
  /** Return positions after this one (default 0: from the start). */
  after?: number;
  /** Most commits returned (default 100, at most 10,000). */
  limit?: number;
}

/** The global log: one contiguous order of all commits (DESIGN.md "Global log"). */
export interface GlobalLog {
  /** Highest position given so far; 0 when none. */
  head(): Promise<number>;
  /**
   * Commits at positions `after + 1 …` in ascending order, contiguous (it stops before a position
   * not visible yet, never skips one). A commit whose `position` copy lags is still returned.
   */
  read(opts?: LogReadOptions): Promise<LoggedCommit[]>;
  /** The position of a commit, or null while it is not numbered (or does not exist). */
  positionOf(commitId: string): Promise<number | null>;
  /** How many commits wait for a position, and since when. */
  pending(): Promise<PendingCommits>;
}
