import type { Db } from 'mongodb';
import { z } from 'zod';
import type { RecordedEvent } from '../events/types.js';
import { parseInput, streamTypeSchema } from '../validation.js';
import { waitForWork } from './appendNotifier.js';
import { readLog } from './globalLog.js';
import { createLogRepository } from './logRepository.js';

/** Options of `chronicle.subscribe`. */
export interface SubscribeOptions {
  /**
   * Where to start: a position (events of later positions are delivered; 0 or `'start'` for
   * everything), or `'end'` for only what is numbered after `subscribe()` was called. Default `'end'`.
   */
  after?: number | 'start' | 'end';
  /** Only events of these stream types. */
  streamTypes?: string[];
  /** Only events of these types. */
  eventTypes?: string[];
  /** Aborting ends the iteration cleanly (no error). */
  signal?: AbortSignal;
  /** Commits read per query (default 100): the most held in memory at once. */
  batchSize?: number;
  /** Longest pause between polls when caught up (default 1 s; a batch numbered in this process wakes it at once). */
  maxPollMs?: number;
}

const optionsSchema = z.strictObject(
  {
    after: z.union([z.literal('start'), z.literal('end'), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)], { error: "must be a position (whole number >= 0), 'start' or 'end'" }).optional(),
    streamTypes: z.array(streamTypeSchema, { error: 'must be an array of stream types' }).optional(),
    eventTypes: z.array(z.string().min(1), { error: 'must be an array of event types' }).optional(),
    signal: z.instanceof(AbortSignal, { error: 'must be an AbortSignal' }).optional(),
    batchSize: z.number().int().min(1).max(10_000, { error: 'must be at most 10000' }).optional(),
    maxPollMs: z.number().int().min(1).max(60_000).optional(),
  },
  { error: 'must be an object { after?, streamTypes?, eventTypes?, signal? }' },
);

/**
 * Follows the global log of `db`: catches up from `after`, then delivers new commits as the
 * sequencer numbers them, in position order, each position once. Nothing is stored for the
 * consumer: it keeps its own checkpoint (the `position` of the last event it handled) and
 * passes it as `after` when it starts again. Memory is bounded by `batchSize` commits.
 *
 * @throws ValidationError for bad options, at the call (before any I/O).
 */
export function subscribeToLog(db: Db, opts: SubscribeOptions = {}, eventsCollection?: string): AsyncIterable<RecordedEvent> {
  const o = parseInput(optionsSchema, opts, 'subscribe options');
  const repo = createLogRepository(db, eventsCollection);
  const streamTypes = o.streamTypes ? new Set(o.streamTypes) : null;
  const eventTypes = o.eventTypes ? new Set(o.eventTypes) : null;
  const batchSize = o.batchSize ?? 100;
  const maxPoll = o.maxPollMs ?? 1_000;
  const signal = opts.signal;
  // 'end' is the head when subscribe() is called, not when iteration begins: what a caller
  // appends in between is new to it and must not be skipped. A failure surfaces at the first next().
  const headAtCall = o.after === undefined || o.after === 'end' ? repo.head() : null;
  headAtCall?.catch(() => {});

  return {
    async *[Symbol.asyncIterator]() {
      let cursor = headAtCall ? await headAtCall : o.after === 'start' ? 0 : (o.after as number);
      let idle = 10;
      while (!signal?.aborted) {
        const commits = await readLog(repo, cursor, batchSize);
        for (const c of commits) {
          if (!streamTypes || streamTypes.has(c.streamType)) {
            for (const e of c.events) {
              if (signal?.aborted) return;
              if (!eventTypes || eventTypes.has(e.type)) yield e;
            }
          }
          cursor = c.position;
        }
        if (commits.length === batchSize) {
          idle = 10;
          continue;
        }
        if (commits.length > 0) idle = 10;
        await waitForWork(db, 'numbered', idle, signal);
        idle = Math.min(maxPoll, idle * 2);
      }
    },
  };
}
