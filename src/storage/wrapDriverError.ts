import { StorageError } from '../errors.js';
import { isDriverError } from './driverErrors.js';

/**
 * Runs a driver call; a driver error becomes a `StorageError` saying what could not be done,
 * with the driver error as `cause`, so callers never see a raw `MongoServerError`.
 */
export async function wrapDriverError<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isDriverError(err)) throw err;
    throw new StorageError(`could not ${what}: ${err.message}`, { cause: err });
  }
}
