/**
 * Classifies MongoDB driver errors by what the server and driver put on them (`code`,
 * `codeName`, error labels, `name`), never by class identity: an app may hand Chronicle a
 * client from another copy or major of the driver, whose error classes are not ours.
 */

/** The fields of a driver error that Chronicle looks at. */
export interface DriverErrorLike extends Error {
  code?: number | string;
  codeName?: string;
  hasErrorLabel(label: string): boolean;
}

const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
const NETWORK_ERRORS = new Set(['MongoNetworkError', 'MongoNetworkTimeoutError']);

/** Any error thrown by a MongoDB driver (server-side or client-side), from any copy of it. */
export function isDriverError(err: unknown): err is DriverErrorLike {
  return err instanceof Error && err.name.startsWith('Mongo') && typeof (err as Partial<DriverErrorLike>).hasErrorLabel === 'function';
}

function hasCode(err: DriverErrorLike, code: number, codeName: string): boolean {
  return err.code === code || err.codeName === codeName;
}

/** A unique index refused an insert (E11000), also inside a bulk write (`insertMany`). */
export function isDuplicateKeyError(err: unknown): err is DriverErrorLike {
  if (!isDriverError(err)) return false;
  if (hasCode(err, DUPLICATE_KEY, 'DuplicateKey')) return true;
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.some((w) => (w as { code?: unknown } | null)?.code === DUPLICATE_KEY);
}

/** How many documents of an ordered bulk insert landed before it failed (0 when unknown). */
export function insertedBeforeFailure(err: unknown): number {
  const n = (err as { insertedCount?: unknown } | null)?.insertedCount;
  return typeof n === 'number' ? n : 0;
}

/** A collection (or database) that does not exist, e.g. `drop` of one dropped already (code 26). */
export function isNamespaceNotFoundError(err: unknown): err is DriverErrorLike {
  return isDriverError(err) && hasCode(err, 26, 'NamespaceNotFound');
}

/** `createCollection` of a collection that exists (code 48 on MongoDB and FerretDB). */
export function isNamespaceExistsError(err: unknown): err is DriverErrorLike {
  return isDriverError(err) && hasCode(err, NAMESPACE_EXISTS, 'NamespaceExists');
}

/**
 * A failure after which the same write may be retried: the connection broke or the server
 * labelled the error retryable. The write may have landed, so only idempotent writes retry.
 */
export function isTransientError(err: unknown): err is DriverErrorLike {
  return isDriverError(err) && (NETWORK_ERRORS.has(err.name) || err.hasErrorLabel('RetryableWriteError'));
}
