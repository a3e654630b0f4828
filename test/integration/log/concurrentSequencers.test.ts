import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createChronicle } from '../../../src/chronicle.js';
import { createSequencer } from '../../../src/log/sequencer.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { expectIntactLog } from '../../support/logIntegrity.js';

const t = useChronicle(import.meta.filename);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two sequencers at once', () => {
  it('8 writers on 50 streams, two sequencers without a lease: positions 1..N, each commit once, streams in version order', async () => {
    // Each sequencer and each writer group on its own connection pool, as separate processes would be.
    const clients = await Promise.all([0, 1, 2].map(() => new MongoClient(t.uri).connect()));
    try {
      const [c1, c2, cw] = clients as [MongoClient, MongoClient, MongoClient];
      // Random pauses between the positions and the copies widen every race window.
      const jitter = async () => {
        await sleep(Math.random() * 15);
      };
      const s1 = createSequencer(c1.db(t.db.databaseName), { lease: false, batchSize: 7, minPollMs: 1, maxPollMs: 20, afterPositions: jitter });
      const s2 = createSequencer(c2.db(t.db.databaseName), { lease: false, batchSize: 11, minPollMs: 1, maxPollMs: 20, afterPositions: jitter });
      s1.start();
      s2.start();
      const writer = createChronicle(cw.db(t.db.databaseName));
      const acked: string[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 30; i++) {
            const streamId = `acct-${Math.floor(Math.random() * 50)}`;
            const events = Array.from({ length: 1 + (i % 3) }, (_, k) => ({ type: 'Deposited', data: { w, i, k } }));
            acked.push((await writer.events.append(streamId, events, { expectedVersion: 'any' })).commitId);
          }
        }),
      );
      for (let waited = 0; (await t.chronicle.log.pending()).count > 0; waited += 50) {
        if (waited > 30_000) throw new Error('the sequencers did not catch up in 30 s');
        await sleep(50);
      }
      await Promise.all([s1.stop(), s2.stop()]);
      // Both numbered a share: the race was real.
      expect(s1.status().numbered).toBeGreaterThan(0);
      expect(s2.status().numbered).toBeGreaterThan(0);
      expect(s1.status().numbered + s2.status().numbered).toBe(acked.length);
      expect(await expectIntactLog(t.db)).toBe(acked.length);
      const logged = await t.chronicle.log.read({ limit: 10_000 });
      expect(new Set(logged.map((c) => c.commitId))).toEqual(new Set(acked));
      expect(logged.map((c) => c.position)).toEqual(Array.from({ length: acked.length }, (_, i) => i + 1));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
