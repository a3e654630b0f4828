/**
 * Every error Chronicle throws on purpose is a `ChronicleError` with a stable
 * `code`, so callers can branch on `err.code` or `instanceof` alike. A driver
 * error that caused it is kept as `cause`, never thrown raw.
 */

/** Stable error codes; part of the public API. */
export type ChronicleErrorCode =
  | 'CONCURRENCY'
  | 'VALIDATION'
  | 'COMMAND_REJECTED'
  | 'CORRUPT_DOCUMENT'
  | 'CONFIG'
  | 'CONNECTION'
  | 'MIGRATION'
  | 'STORAGE'
  | 'ABORTED'
  | 'LEASE_LOST'
  | 'PROJECTION_FAILED'
  | 'PROJECTION_TIMEOUT';

/** Base class of all Chronicle errors. */
export class ChronicleError extends Error {
  override name = 'ChronicleError';
  readonly code: ChronicleErrorCode;

  constructor(code: ChronicleErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The stream is not at the version the caller expected (a lost race or a made-up version). */
export class ConcurrencyError extends ChronicleError {
  override name = 'ConcurrencyError';
  readonly streamId: string;
  readonly expectedVersion: number | 'any';
  readonly actualVersion: number;

  constructor(
    streamId: string,
    expectedVersion: number | 'any',
    actualVersion: number,
    options?: { cause?: unknown },
  ) {
    super(
      'CONCURRENCY',
      `stream "${streamId}": expected version ${String(expectedVersion)}, but the stream is at version ${actualVersion}`,
      options,
    );
    this.streamId = streamId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** One problem found in an input, with the path to the offending value. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
}

/** The input (event, command, id, option, payload) is not acceptable. Nothing was written. */
export class ValidationError extends ChronicleError {
  override name = 'ValidationError';
  readonly issues: ValidationIssue[];

  constructor(message: string, issues: ValidationIssue[] = [], options?: { cause?: unknown }) {
    super('VALIDATION', message, options);
    this.issues = issues;
  }
}

/** `decide` refused the command for a business reason. Nothing was written. */
export class CommandRejectedError extends ChronicleError {
  override name = 'CommandRejectedError';
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super('COMMAND_REJECTED', reason, options);
    this.reason = reason;
  }
}

/** A stored document no longer parses (edited by hand, or written by an incompatible version). */
export class CorruptDocumentError extends ChronicleError {
  override name = 'CorruptDocumentError';
  readonly collection: string;
  readonly documentId: string;

  constructor(collection: string, documentId: string, message: string, options?: { cause?: unknown }) {
    super('CORRUPT_DOCUMENT', message, options);
    this.collection = collection;
    this.documentId = documentId;
  }
}

/** A setting (environment variable, option) is invalid. */
export class ConfigError extends ChronicleError {
  override name = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
  }
}

/** The server cannot be reached or refused the connection. */
export class ConnectionError extends ChronicleError {
  override name = 'ConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECTION', message, options);
  }
}

/** A migration failed, or the migration lock could not be taken in time. */
export class MigrationError extends ChronicleError {
  override name = 'MigrationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('MIGRATION', message, options);
  }
}

/** The server failed an operation for a reason that is not the caller's input. */
export class StorageError extends ChronicleError {
  override name = 'StorageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORAGE', message, options);
  }
}

/** The operation was cancelled through an `AbortSignal`. */
export class AbortedError extends ChronicleError {
  override name = 'AbortedError';
  constructor(message = 'operation aborted', options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}

/** Removes the password from a MongoDB URI so it can appear in logs and errors. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)([^:@/]*):([^@/]*)@/i, '$1$2:***@');
}

/**
 * A lease (see `acquireLease`) was lost: it expired before its holder renewed it, a successor
 * epoch exists, or it was released. Work that needed it must stop; nothing was written after.
 */
export class LeaseLostError extends ChronicleError {
  override name = 'LeaseLostError';
  readonly lease: string;
  readonly epoch: number;
  constructor(lease: string, epoch: number, why: string, options?: { cause?: unknown }) {
    super('LEASE_LOST', `lease "${lease}" epoch ${epoch} lost: ${why}`, options);
    this.lease = lease;
    this.epoch = epoch;
  }
}

/** Where a projection stopped: the event it could not apply. */
export interface ProjectionFailurePoint {
  position: number;
  streamId: string;
  /** Stream version of the event. */
  version: number;
  eventType: string;
  /** Read-model document the event was applied to, when the failure was about one. */
  documentId?: string;
}

/**
 * A projection stopped: its `schema` rejected a document `evolve` returned, or `documentId` /
 * `evolve` threw or returned something unusable. Nothing of the failing batch was written and
 * the checkpoint stays before it.
 */
export class ProjectionFailedError extends ChronicleError {
  override name = 'ProjectionFailedError';
  readonly projection: string;
  readonly at: ProjectionFailurePoint | null;
  readonly issues: ValidationIssue[];
  constructor(projection: string, at: ProjectionFailurePoint | null, message: string, issues: ValidationIssue[] = [], options?: { cause?: unknown }) {
    const where = at ? ` at position ${at.position} (event ${at.eventType} of ${at.streamId} v${at.version}${at.documentId === undefined ? '' : `, document "${at.documentId}"`})` : '';
    super('PROJECTION_FAILED', `projection "${projection}" failed${where}: ${message}`, options);
    this.projection = projection;
    this.at = at;
    this.issues = issues;
  }
}

/** `waitFor` gave up: the projection had not applied the commit within `timeoutMs`. */
export class ProjectionTimeoutError extends ChronicleError {
  override name = 'ProjectionTimeoutError';
  readonly projection: string;
  readonly commitId: string;
  /** The commit's position, or null when it was not numbered yet. */
  readonly position: number | null;
  /** The projection's checkpoint when it gave up. */
  readonly checkpoint: number;
  constructor(projection: string, commitId: string, position: number | null, checkpoint: number, timeoutMs: number) {
    const why = position === null ? 'the commit has no position yet (is a worker with the sequencer running?)' : `its checkpoint is at ${checkpoint}, the commit at ${position}`;
    super('PROJECTION_TIMEOUT', `projection "${projection}" did not apply commit "${commitId}" within ${timeoutMs} ms: ${why}`);
    this.projection = projection;
    this.commitId = commitId;
    this.position = position;
    this.checkpoint = checkpoint;
  }
}
