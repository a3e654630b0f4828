import { BSON, type Collection, type Document, type Filter, type FindCursor, type FindOptions } from 'mongodb';

/**
 * `collection.find` whose documents are decoded by BSON.deserialize from the raw reply.
 *
 * Why not the driver's own decoding: mongodb 6.x's lazy reply parser returns an array of
 * documents as raw Buffers when its field is named like an Object.prototype member
 * (`valueOf`, `toString`, `hasOwnProperty`, …), so a user payload with such a key would
 * come back mangled. Decoding the raw document ourselves is exact, and costs the same
 * work the driver would do. `useBigInt64` keeps Int64 values exact as bigint.
 */
export function findDocuments<T extends Document>(collection: Collection<T>, filter: Filter<T>, options: FindOptions = {}): FindCursor<T> {
  return (collection.find(filter, { ...options, raw: true }) as unknown as FindCursor<Uint8Array>).map(
    (bytes) => BSON.deserialize(bytes, { useBigInt64: true }) as T,
  );
}
