import * as driver from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isDriverError, isDuplicateKeyError, isNamespaceExistsError, isTransientError } from '../../../src/storage/driverErrors.js';
import { otherDriver } from '../../support/otherDriver.js';

// Errors are classified by what the server and driver put on them, never by class identity:
// an app may hand Chronicle a client from another copy (or major) of the driver.
describe.each([
  ['this package', driver],
  ['the other major', otherDriver],
])('driver error classification with errors from %s', (_name, d) => {
  it('duplicate key: code 11000 on a server error, and on a bulk write error', () => {
    expect(isDuplicateKeyError(new d.MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key' }))).toBe(true);
    expect(isDuplicateKeyError(new d.MongoServerError({ codeName: 'DuplicateKey', errmsg: 'dup' }))).toBe(true);
    expect(isDuplicateKeyError(new d.MongoServerError({ code: 48, errmsg: 'exists' }))).toBe(false);
    expect(isDuplicateKeyError(Object.assign(new Error('E11000'), { code: 11000 }))).toBe(false); // not a driver error
  });

  it('namespace exists: code 48 or codeName NamespaceExists', () => {
    expect(isNamespaceExistsError(new d.MongoServerError({ code: 48, errmsg: 'exists' }))).toBe(true);
    expect(isNamespaceExistsError(new d.MongoServerError({ codeName: 'NamespaceExists', errmsg: 'exists' }))).toBe(true);
    expect(isNamespaceExistsError(new d.MongoServerError({ code: 11000, errmsg: 'dup' }))).toBe(false);
  });

  it('transient: network errors and the RetryableWriteError label', () => {
    expect(isTransientError(new d.MongoNetworkError('socket closed'))).toBe(true);
    expect(isTransientError(new d.MongoNetworkTimeoutError('timed out'))).toBe(true);
    const labelled = new d.MongoServerError({ code: 91, errmsg: 'shutting down', errorLabels: ['RetryableWriteError'] });
    expect(isTransientError(labelled)).toBe(true);
    expect(isTransientError(new d.MongoServerError({ code: 11000, errmsg: 'dup' }))).toBe(false);
    expect(isTransientError(new Error('socket closed'))).toBe(false);
  });

  it('any driver error, server-side or client-side, is a driver error; other errors are not', () => {
    expect(isDriverError(new d.MongoServerError({ code: 2, errmsg: 'bad' }))).toBe(true);
    expect(isDriverError(new d.MongoServerSelectionError('no server', new d.MongoError('x') as never))).toBe(true);
    expect(isDriverError(new d.MongoInvalidArgumentError('bad option'))).toBe(true);
    expect(isDriverError(new TypeError('x'))).toBe(false);
    expect(isDriverError({ name: 'MongoServerError', code: 11000 })).toBe(false);
    expect(isDriverError(undefined)).toBe(false);
  });
});
