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
  | 'LEASE_LOST';

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
