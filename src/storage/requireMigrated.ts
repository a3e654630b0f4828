import type { Collection, Document } from 'mongodb';
import { ConfigError } from '../errors.js';
import { wrapDriverError } from './wrapDriverError.js';

const NAMESPACE_NOT_FOUND = 26;

/**
 * Returns a check that `collection` has the unique index `key` that `migrate()` creates, run
 * once per repository before its first write: its promise is cached, so later writes pay no
 * round trip for it. Writing without the index would let the server create the collection
 * on the fly with no unique index, and then nothing stops two writers forking a stream.
 * A failed check is not cached, so a repository works once `migrate()` has run.
 */
export function requireMigrated<T extends Document>(collection: Collection<T>, key: Record<string, 1>): () => Promise<void> {
  let checked: Promise<void> | undefined;
  const wanted = JSON.stringify(key);
  async function check(): Promise<void> {
    const col = collection;
    const indexes = await wrapDriverError(`list the indexes of "${col.collectionName}"`, () =>
      col.listIndexes().toArray().catch((err: unknown) => {
        if ((err as { code?: unknown } | null)?.code === NAMESPACE_NOT_FOUND) return [];
        throw err;
      }),
    );
    const found = indexes.some((ix) => ix.unique === true && JSON.stringify(ix.key) === wanted);
    if (!found) {
      throw new ConfigError(
        `database "${col.dbName}" is not migrated: collection "${col.collectionName}" lacks its unique index ${wanted}. Run migrate() (chronicle.migrate(), or \`chronicle migrate\`) before writing; Chronicle never creates collections or indexes on the write path`,
      );
    }
  }
  return () => {
    checked ??= check().catch((err: unknown) => {
      checked = undefined;
      throw err;
    });
    return checked;
  };
}
