import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSequencer } from '../../../src/log/sequencer.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { expectIntactLog } from '../../support/logIntegrity.js';

const t = useChronicle(import.meta.filename);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOUR = 3_600_000;

/** Appends as a writer whose clock is `skewMs` off (its commits get that `recordedAt`). */
async function appendSkewed(skewMs: number, streamId: string, data: unknown): Promise<string> {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + skewMs });
  try {
    return (await t.chronicle.events.append(streamId, [{ type: 'Noted', data }], { expectedVersion: 'any' })).commitId;
  } finally {
    vi.useRealTimers();
  }
}

async function waitUntilNumbered(ids: string[]): Promise<void> {
  for (let waited = 0; ; waited += 25) {
    const positions = await Promise.all(ids.map((id) => t.chronicle.log.positionOf(id)));
    if (positions.every((p) => p !== null)) return;
    if (waited > 20_000) throw new Error('not numbered within 20 s');
    await sleep(25);
  }
}

describe('commits whose recordedAt lies', () => {
  afterEach(() => vi.useRealTimers());

  it('writers an hour ahead and behind on the same streams, and a commit landing long after its recordedAt: all numbered, streams in order', async () => {
    // A small batch, so a stream's next commit (an hour "older") is often in a batch without its predecessor.
    const seq = createSequencer(t.db, { batchSize: 3, minPollMs: 5, maxPollMs: 50, lease: { ttlMs: 2_000 } });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const skew = [HOUR, -HOUR, 0, 37 * 60_000][i % 4]!;
      ids.push(await appendSkewed(skew, `skew-${i % 5}`, { i }));
    }
    // Started after the backlog, so its batches (oldest recordedAt first) hold successors whose
    // predecessors carry later times; then it runs live for the stalled commit.
    seq.start();
    try {
      await waitUntilNumbered(ids);
      const head = await t.chronicle.log.head();
      // A stalled first attempt: stamped ten minutes ago, landing now, after newer commits were numbered.
      const stalled = await appendSkewed(-10 * 60_000, 'skew-0', { stalled: true });
      const after = await appendSkewed(0, 'skew-1', { after: true });
      await waitUntilNumbered([stalled, after]);
      expect(await t.chronicle.log.positionOf(stalled)).toBeGreaterThan(head);
      expect(seq.status()).toMatchObject({ active: true, lastError: null });
    } finally {
      await seq.stop();
    }
    expect(await expectIntactLog(t.db)).toBe(42);
    expect(await t.chronicle.log.pending()).toMatchObject({ count: 0 });
  });
});
