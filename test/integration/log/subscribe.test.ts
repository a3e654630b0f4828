import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import type { RecordedEvent } from '../../../src/events/types.js';
import { createSequencer, type Sequencer } from '../../../src/log/sequencer.js';
import { useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Collects events until `done(events)` holds; fails after `timeoutMs`. */
async function collect(iterable: AsyncIterable<RecordedEvent>, done: (events: RecordedEvent[]) => boolean, timeoutMs = 20_000): Promise<RecordedEvent[]> {
  const got: RecordedEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`subscription: only ${got.length} events after ${timeoutMs} ms`)), timeoutMs);
  });
  const reading = (async () => {
    for await (const e of iterable) {
      got.push(e);
      if (done(got)) break;
    }
    return got;
  })();
  try {
    return await Promise.race([reading, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('subscribe', () => {
  let seq: Sequencer;
  beforeAll(() => {
    seq = createSequencer(t.db, { lease: false, minPollMs: 5, maxPollMs: 50 });
    seq.start();
  });
  afterAll(async () => {
    await seq.stop();
  });

  it('from 0 while appends go on: every position once, in order, events of a commit together', async () => {
    const appended: string[] = [];
    const writing = (async () => {
      for (let i = 0; i < 60; i++) {
        const r = await t.chronicle.events.append(`sub-${i % 6}`, [{ type: 'A', data: { i } }, { type: 'B', data: { i } }], { expectedVersion: 'any' });
        appended.push(r.commitId);
        if (i % 10 === 0) await sleep(20);
      }
    })();
    // Small batches: the subscription crosses many reads and catches up with the writer repeatedly.
    const got = await collect(t.chronicle.subscribe({ after: 0, batchSize: 7, maxPollMs: 50 }), (events) => events.length >= 120);
    await writing;
    expect(got).toHaveLength(120);
    const positions = got.map((e) => e.position);
    expect(positions).toEqual(Array.from({ length: 120 }, (_, i) => Math.floor(i / 2) + 1));
    expect(got.filter((e) => e.type === 'A').map((e) => e.commitId).sort()).toEqual([...appended].sort());
    // Each stream in version order.
    for (let s = 0; s < 6; s++) {
      const versions = got.filter((e) => e.streamId === `sub-${s}`).map((e) => e.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
    }
  });

  it("from 'end' receives only what is appended after it started; filters by stream and event type", async () => {
    await t.chronicle.events.append('old-1', [{ type: 'A', data: {} }], { expectedVersion: 'any' });
    await seq.drain();
    const head = await t.chronicle.log.head();
    const all = t.chronicle.subscribe({ after: 'end' });
    const onlyB = t.chronicle.subscribe({ after: 'end', streamTypes: ['new'], eventTypes: ['B'] });
    // 'end' was read when subscribe() was called; iteration starts at the first next().
    const gotAll = collect(all, (events) => events.length >= 6);
    const gotB = collect(onlyB, (events) => events.length >= 2);
    await sleep(100);
    for (let i = 0; i < 3; i++) {
      await t.chronicle.events.append(`new-${i}`, [{ type: 'A', data: {} }, { type: 'B', data: {} }], { expectedVersion: 'any' });
      await t.chronicle.events.append(`other-${i}`, [{ type: 'B', data: {} }], { expectedVersion: 'any' });
    }
    const events = await gotAll;
    expect(events.every((e) => (e.position ?? 0) > head)).toBe(true);
    expect(events.map((e) => e.streamId)).toEqual(['new-0', 'new-0', 'other-0', 'new-1', 'new-1', 'other-1']);
    expect((await gotB).map((e) => [e.streamId, e.type])).toEqual([
      ['new-0', 'B'],
      ['new-1', 'B'],
    ]);
  });

  it("from 'end' starts at the head when subscribe() is called, not when iteration begins", async () => {
    await seq.drain();
    const live = t.chronicle.subscribe({ after: 'end' });
    // Appended and numbered after the call but before the first next(): still "new" to it.
    await t.chronicle.events.append('late-1', [{ type: 'A', data: {} }], { expectedVersion: 'any' });
    await seq.drain();
    const events = await collect(live, (got) => got.length >= 1, 5_000);
    expect(events.map((e) => e.streamId)).toEqual(['late-1']);
  });

  it('stops cleanly when its signal aborts, also while waiting for new commits', async () => {
    await seq.drain();
    const controller = new AbortController();
    const started = Date.now();
    const got: RecordedEvent[] = [];
    const run = (async () => {
      for await (const e of t.chronicle.subscribe({ after: 'end', signal: controller.signal, maxPollMs: 60_000 })) got.push(e);
    })();
    await sleep(200);
    controller.abort();
    await run;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(got).toEqual([]);
  });

  it('refuses bad options at the call', () => {
    expect(() => t.chronicle.subscribe({ after: -1 })).toThrow(ValidationError);
    expect(() => t.chronicle.subscribe({ after: 'middle' as never })).toThrow(/after/);
    expect(() => t.chronicle.subscribe({ streamTypes: 'todos' as never })).toThrow(ValidationError);
  });
});
