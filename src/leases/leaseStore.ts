import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../storage/driverErrors.js';
import { wrapDriverError } from '../storage/wrapDriverError.js';

/** One epoch of a lease, as stored in `leases`. Never overwritten by anyone but its holder. */
export interface LeaseDocument {
  /** `"<name>#<epoch>"`: the unique `_id` is what makes taking an epoch atomic everywhere. */
  _id: string;
  name: string;
  epoch: number;
  holder: string;
  /** Server time when the epoch was taken. */
  acquiredAt: Date;
  /** Server time after which anyone may take epoch + 1, unless renewed before. */
  expiresAt: Date;
  /** Set by a holder that let go early, so the next one need not wait for expiry. */
  releasedAt?: Date;
}

/** The `leases` collection: the only module that touches it. */
export interface LeaseStore {
  latest(name: string): Promise<LeaseDocument | null>;
  /** Inserts an epoch; false when someone took that epoch first. */
  insert(doc: LeaseDocument): Promise<boolean>;
  /** Extends the holder's own unexpired, unreleased epoch; false when it no longer may. */
  renew(id: string, holder: string, now: Date, expiresAt: Date): Promise<boolean>;
  exists(id: string): Promise<LeaseDocument | null>;
  release(id: string, holder: string, at: Date): Promise<void>;
  /** Deletes epochs of `name` older than `belowEpoch` (history only; never the live chain end). */
  prune(name: string, belowEpoch: number): Promise<void>;
}

export const leaseId = (name: string, epoch: number) => `${name}#${epoch}`;

/** Creates the store over `db.leases` (created by a migration; an insert creates it before that). */
export function createLeaseStore(db: Db, collectionName = 'leases'): LeaseStore {
  const col: Collection<LeaseDocument> = db.collection<LeaseDocument>(collectionName, { readPreference: 'primary' });
  const majority = { writeConcern: { w: 'majority' as const, j: true } };
  return {
    latest: (name) => wrapDriverError(`read lease "${name}"`, () => col.find({ name }).sort({ epoch: -1 }).limit(1).next()),
    async insert(doc) {
      try {
        await col.insertOne(doc, majority);
        return true;
      } catch (err) {
        if (isDuplicateKeyError(err)) return false;
        return wrapDriverError(`take lease "${doc._id}"`, () => Promise.reject(err as Error));
      }
    },
    async renew(id, holder, now, expiresAt) {
      const res = await wrapDriverError(`renew lease "${id}"`, () =>
        col.updateOne({ _id: id, holder, expiresAt: { $gt: now }, releasedAt: { $exists: false } }, { $set: { expiresAt } }, majority),
      );
      return res.matchedCount === 1;
    },
    exists: (id) => wrapDriverError(`read lease "${id}"`, () => col.findOne({ _id: id })),
    async release(id, holder, at) {
      await wrapDriverError(`release lease "${id}"`, () => col.updateOne({ _id: id, holder }, { $set: { releasedAt: at } }, majority));
    },
    async prune(name, belowEpoch) {
      await wrapDriverError(`prune lease "${name}"`, () => col.deleteMany({ name, epoch: { $lt: belowEpoch } }));
    },
  };
}
