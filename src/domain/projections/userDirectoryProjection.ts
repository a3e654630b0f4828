import { z } from 'zod';
import { defineProjection } from '../../projections/defineProjection.js';
import type { UserEvent } from '../users/userAggregate.js';

/** One user in the directory: what "who has this e-mail" queries read. */
export const userDirectoryEntrySchema = z.strictObject({
  /** The user's stream id (`user-<id>`), also the document's `_id`. */
  userId: z.string(),
  /** null once deleted: like the aggregate, the directory keeps no personal data of a deleted user. */
  name: z.string().nullable(),
  email: z.string().nullable(),
  cookies: z.number().int().min(0),
  deleted: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

/** A document of `userDirectoryProjection` (collection `user_directory_v1`). */
export type UserDirectoryEntry = z.output<typeof userDirectoryEntrySchema>;

/**
 * Per user (stream type `user`): name, e-mail, cookies and whether it was deleted. Indexed on
 * `{ email: 1 }` by migration 007, so `findOne({ email })` is one index lookup.
 */
export const userDirectoryProjection = defineProjection<UserDirectoryEntry, UserEvent>({
  name: 'user_directory',
  version: 1,
  streamTypes: ['user'],
  schema: userDirectoryEntrySchema,
  documentId: (event) => event.streamId,
  evolve(doc, event) {
    const at = event.recordedAt;
    switch (event.type) {
      case 'UserCreated':
        return { userId: event.streamId, name: event.data.name, email: event.data.email, cookies: 0, deleted: false, createdAt: at, updatedAt: at };
      case 'UserUpdated':
        // As in the aggregate: only an active user changes.
        if (!doc || doc.deleted) return doc;
        return { ...doc, name: event.data.name ?? doc.name, email: event.data.email ?? doc.email, updatedAt: at };
      case 'CookiesSet':
        if (!doc || doc.deleted) return doc;
        return { ...doc, cookies: event.data.cookies, updatedAt: at };
      case 'UserDeleted':
        return { userId: event.streamId, name: null, email: null, cookies: 0, deleted: true, createdAt: doc?.createdAt ?? at, updatedAt: at };
      default:
        return doc;
    }
  },
});
