/** A snapshot as handed to `save`. */
export interface SnapshotInput<TState = unknown> {
  streamId: string;
  /** Defaults to the part of `streamId` before the first `-`. */
  streamType?: string;
  /** Stream version the state reflects. */
  version: number;
  /** Shape of the state (the aggregate definition's `schemaVersion`). */
  schemaVersion: number;
  state: TState;
  /**
   * Id of the commit that ends at `version`: the history this state was built from. Loads use
   * the snapshot only while that commit is still the one at `version` (see README, "Snapshot
   * lineage"). Optional; without it a load checks only that `version` is a commit boundary.
   */
  commitId?: string;
}

/** A snapshot as read back. */
export interface Snapshot<TState = unknown> {
  streamId: string;
  version: number;
  schemaVersion: number;
  state: TState;
  takenAt: Date;
  /** The commit that ends at `version`, when the snapshot recorded it. */
  commitId?: string;
}

export interface LatestSnapshotOptions {
  /** Only snapshots of this state shape. */
  schemaVersion?: number;
  /** Only snapshots at or below this version. */
  maxVersion?: number;
}

export interface SaveSnapshotOptions {
  /** Snapshots kept per stream (and schemaVersion) after this save; default 3. */
  keep?: number;
  /** Set false to skip pruning (a caller that knows the stream has fewer than `keep`); default true. */
  prune?: boolean;
}

// The repository is a class (injectable by class); its type stays importable from here too.
export type { SnapshotRepository } from './snapshotRepository.js';
