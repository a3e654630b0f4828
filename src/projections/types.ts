import type { Collection, Document } from 'mongodb';
import type { z } from 'zod';
import type { ProjectionFailurePoint } from '../errors.js';
import type { RecordedEvent } from '../events/types.js';

/** A read-model document as `evolve` sees and returns it: its fields, without `_id` and `_position`. */
export type ProjectionDocument = Record<string, unknown>;

/** An event as a projection sees it: numbered (its commit's position) and with its stream type. */
export type ProjectionEvent<TEvent extends { type: string; data: unknown } = { type: string; data: unknown }> = Omit<RecordedEvent, 'type' | 'data' | 'position'> &
  TEvent & {
    streamType: string;
    /** The commit's place in the global log (shared by the events of one commit). */
    position: number;
  };

/**
 * A read model, as plain data and pure functions (DESIGN.md "Projections"). Kept in the
 * collection `<name>_v<version>`; bump `version` when `evolve` or `documentId` change, and the
 * new version is built beside the old one, which stays live until the new one caught up.
 */
export interface ProjectionDefinition<TDoc extends ProjectionDocument = ProjectionDocument, TEvent extends { type: string; data: unknown } = { type: string; data: unknown }> {
  /** Letters, digits and `_`, starting with a letter: part of the collection name. */
  readonly name: string;
  /** 1, 2, …: the collection is `<name>_v<version>`. */
  readonly version: number;
  /** Only events of these stream types (default: all). */
  readonly streamTypes?: readonly string[];
  /** Only events of these types (default: all). */
  readonly eventTypes?: readonly string[];
  /** The read-model document(s) an event touches: one id, several, or none (null, undefined, []). */
  documentId(event: ProjectionEvent<TEvent>): string | readonly string[] | null | undefined;
  /**
   * The next document (`doc` is null when there is none yet), or null to delete it. Pure.
   * `id` is the document's id (one of those `documentId` returned for the event).
   */
  evolve(doc: TDoc | null, event: ProjectionEvent<TEvent>, id: string): TDoc | null;
  /** Checked on every document `evolve` returns, before anything of the batch is written. */
  readonly schema?: z.ZodType<TDoc>;
}

/** Any projection definition, whatever its document and event types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProjectionDefinition = ProjectionDefinition<any, any>;

/** `catching-up` until a runner first reached the end of the log, then `live`; `failed` stops it. */
export type ProjectionState = 'catching-up' | 'live' | 'failed' | 'retired';

/** A projection's progress, from its checkpoint record in the `projections` collection. */
export interface ProjectionStatus {
  name: string;
  version: number;
  /** Last position applied (the checkpoint); 0 before the first batch. */
  position: number;
  /** The log's head now. */
  head: number;
  /** `head - position`. */
  lag: number;
  state: ProjectionState;
  /** Why it failed: the message and the event it stopped at. */
  error?: { message: string; at: ProjectionFailurePoint | null };
  /** The collection holding this version's documents. */
  collection: string;
  /** When this version first caught up (and became the live one); null before. */
  liveSince: Date | null;
  updatedAt: Date | null;
}

/** Options of `waitFor`. */
export interface WaitForOptions {
  /** Give up after this long (default 5 s) with a `ProjectionTimeoutError`. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A projection as a reader uses it: `chronicle.projection(def)`. */
export interface ProjectionHandle<TDoc extends ProjectionDocument = ProjectionDocument> {
  /**
   * The live collection: this version's once it caught up, until then the newest older version
   * that did (so reads never see a half-built collection); this version's when none did.
   */
  collection(): Promise<Collection<TDoc & { _id: string; _position: number } & Document>>;
  /** Progress of this version. */
  status(): Promise<ProjectionStatus>;
  /**
   * Resolves once the live version has applied the commit `commitId` (or passed it, when the
   * commit touches none of its documents); rejects with `ProjectionTimeoutError` after
   * `timeoutMs`, or `ProjectionFailedError` when the projection failed.
   */
  waitFor(commitId: string, opts?: WaitForOptions): Promise<void>;
}
