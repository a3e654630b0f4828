import type { AbstractCursor } from 'mongodb';
import { wrapDriverError } from './wrapDriverError.js';

/**
 * The documents of `cursor`, one at a time, without holding them all in memory. A driver error
 * becomes a `StorageError` saying it could not `what`; the cursor is closed however the loop
 * ends (done, `break`, `return` or a throw), so no server-side cursor is left open.
 */
export async function* cursorDocuments<T>(cursor: AbstractCursor<T>, what: string): AsyncGenerator<T> {
  try {
    for (;;) {
      const doc = await wrapDriverError(what, () => cursor.next());
      if (doc === null) return;
      yield doc;
    }
  } finally {
    await cursor.close().catch(() => {});
  }
}
