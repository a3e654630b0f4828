/** Optional context stored on a commit and returned with each of its events. */
export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  actor?: string;
}

/** An event as a caller hands it to `append`. */
export interface EventInput<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
  /** Version of this event type's payload shape; defaults to 1. */
  schemaVersion?: number;
}

/** An event as stored and read back. */
export interface RecordedEvent<TType extends string = string, TData = unknown> {
  streamId: string;
  /** The stream version this event brought the stream to (1-based, contiguous). */
  version: number;
  type: TType;
  schemaVersion: number;
  data: TData;
  /** Id of the commit (one append) this event was written in. */
  commitId: string;
  recordedAt: Date;
  metadata: EventMetadata | null;
  /**
   * The commit's place in the global log (`chronicle.log`), shared by its events; null until
   * the sequencer numbered it.
   */
  position: number | null;
}

export interface AppendOptions {
  /**
   * The stream version the caller based its decision on (0 for a new stream), or
   * `'any'` to append at the head whatever it is.
   */
  expectedVersion: number | 'any';
  /** Stored as `streamType`; defaults to the part of `streamId` before the first `-`. */
  streamType?: string;
  /**
   * Idempotency key; defaults to a new UUID. A retry with the same id returns the first result
   * and stores nothing. The identity of an append is everything it stores: stream, streamType,
   * events (type, schemaVersion, data; object key order does not matter, array order does) and
   * metadata. A retry that differs in any of them is refused with a `ValidationError`: metadata
   * says who and why, and a retry that silently kept another caller's would misattribute it.
   */
  commitId?: string;
  metadata?: EventMetadata;
}

export interface AppendResult {
  streamId: string;
  /** Stream version after this append. */
  version: number;
  commitId: string;
}

export interface ReadOptions {
  /** Return only events with `version > afterVersion`. */
  afterVersion?: number;
  /** Return only events with `version <= toVersion`. */
  toVersion?: number;
}

// The repository is a class (injectable by class); its type stays importable from here too.
export type { EventRepository } from './eventRepository.js';
