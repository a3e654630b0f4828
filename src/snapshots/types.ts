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

/** Stores timestamped aggregate states; see `createSnapshotRepository`. */
export interface SnapshotRepository {
  /** Stores a snapshot; saving one that exists already is a no-op (`written: false`). */
  save(snapshot: SnapshotInput, opts?: SaveSnapshotOptions): Promise<{ written: boolean }>;
  /** The snapshot with the highest version matching the options, or null. Unreadable documents are skipped. */
  latest(streamId: string, opts?: LatestSnapshotOptions): Promise<Snapshot | null>;
  /** Up to `limit` readable snapshots, newest first: the loader's fall-back candidates. */
  list(streamId: string, opts?: LatestSnapshotOptions & { limit?: number }): Promise<Snapshot[]>;
  /**
   * For many streams at once (one query): up to `limitPerStream` readable snapshots of
   * `schemaVersion` per stream, newest first. Streams without one are absent from the map.
   */
  listMany(streamIds: string[], opts: { schemaVersion: number; limitPerStream?: number }): Promise<Map<string, Snapshot[]>>;
  /** Deletes all but the newest `keep` snapshots of the stream for each schemaVersion; returns how many went. */
  prune(streamId: string, keep: number): Promise<number>;
  /** `prune` for many streams in one read and at most one delete. */
  pruneMany(streamIds: string[], keep: number): Promise<number>;
}
