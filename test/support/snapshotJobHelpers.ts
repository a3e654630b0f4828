import { z } from 'zod';
import { AggregateRepository } from '../../src/aggregates/aggregateRepository.js';
import type { AggregateDefinition, DomainEvent } from '../../src/aggregates/types.js';
import { internals, type Chronicle } from '../../src/chronicle.js';
import type { Logger } from '../../src/logger.js';

export type CounterEvent = { type: 'Added'; data: { by: number; boom?: boolean } };
export type CounterState = { total: number; events: number };

/**
 * A minimal aggregate for job tests. Its `evolve` throws on an event with `boom: true`, which
 * is how a test makes exactly one stream fail.
 */
export function counterAggregate(type: string, schemaVersion = 1): AggregateDefinition<CounterState, { type: 'Add'; by: number }, CounterEvent> {
  return {
    type,
    schemaVersion,
    initialState: () => ({ total: 0, events: 0 }),
    evolve(state, event) {
      if (event.data.boom) throw new Error(`boom at total ${state.total}`);
      return { total: state.total + event.data.by, events: state.events + 1 };
    },
    decide: (command) => [{ type: 'Added', data: { by: command.by } }],
    commandSchema: z.object({ type: z.literal('Add'), by: z.number() }),
    eventSchemas: { Added: z.object({ by: z.number(), boom: z.boolean().optional() }) },
    stateSchema: z.strictObject({ total: z.number(), events: z.number() }),
  };
}

/** Appends `count` Added events to `streamId` in commits of `perCommit`, after its current head. */
export async function addEvents(chronicle: Chronicle, streamId: string, count: number, opts: { perCommit?: number; boomAt?: number } = {}): Promise<number> {
  let version = await chronicle.events.version(streamId);
  let left = count;
  while (left > 0) {
    const n = Math.min(left, opts.perCommit ?? 5);
    const events = Array.from({ length: n }, (_, i) => ({ type: 'Added', data: version + i + 1 === opts.boomAt ? { by: 1, boom: true } : { by: 1 } }));
    version = (await chronicle.events.append(streamId, events, { expectedVersion: version })).version;
    left -= n;
  }
  return version;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The same Chronicle, with every aggregate load (or batch load) delayed by `delayMs` and
 * counted: `maxInFlight` is the most loads or batches that were running at once. The job only
 * uses `db`, `aggregate` and `snapshots`, so a plain wrapper object is enough; its repositories
 * are a subclass of `AggregateRepository` over the same stores, as a DI container would build.
 */
export function instrument(base: Chronicle, delayMs: number) {
  const stats = { inFlight: 0, maxInFlight: 0, loads: 0, onLoad: (_n: number) => {} };
  class Instrumented<S, C, E extends DomainEvent> extends AggregateRepository<S, C, E> {
    override async load(id: string) {
      stats.inFlight += 1;
      stats.loads += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      stats.onLoad(stats.loads);
      try {
        await sleep(delayMs);
        return await super.load(id);
      } finally {
        stats.inFlight -= 1;
      }
    }

    // The job loads in batches: a batch is one unit in flight, each of its streams one load.
    override async loadMany(ids: string[]) {
      stats.inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      for (const _ of ids) {
        stats.loads += 1;
        stats.onLoad(stats.loads);
      }
      try {
        await sleep(delayMs);
        return await super.loadMany(ids);
      } finally {
        stats.inFlight -= 1;
      }
    }
  }
  const logger = internals.get(base)?.logger;
  const chronicle: Chronicle = {
    ...base,
    aggregate: (def, o) => new Instrumented(def, base.events, base.snapshots, { ...(logger ? { logger } : {}), ...o }),
  };
  return { chronicle, stats };
}

/** A logger that keeps every message, for asserting what the scheduler said. */
export function recordingLogger(): Logger & { lines: { level: string; msg: string; obj: object }[] } {
  const lines: { level: string; msg: string; obj: object }[] = [];
  const at = (level: string) => (obj: object | string, msg?: string) => {
    lines.push(typeof obj === 'string' ? { level, msg: obj, obj: {} } : { level, msg: msg ?? '', obj });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
