import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createChronicle } from '../../../src/chronicle.js';
import { migrate } from '../../../src/migrations/migrate.js';
import { startFerretDb } from '../../../src/server/ferretdbLauncher.js';
import { expectIntactStreams } from '../../support/integrity.js';

// This test runs its own FerretDB (whatever server the rest of the suite uses) so it can kill
// and restart it on the same SQLite files; it therefore never skips, and without Go it fails
// with the launcher's message saying what is missing.
describe('server killed mid-write', () => {
  it('FerretDB killed with SIGKILL during an append loop and restarted on the same data keeps every acknowledged append', async () => {
    const server = await startFerretDb();
    const dataDir = server.dataDir;
    const acked = new Map<string, { streamId: string; version: number }>();
    let restarted: Awaited<ReturnType<typeof startFerretDb>> | undefined;
    try {
      const client = await new MongoClient(server.uri, { serverSelectionTimeoutMS: 2_000, retryWrites: false }).connect();
      const db = client.db('killtest');
      await migrate(db);
      const chronicle = createChronicle(db);
      let stop = false;
      let failures = 0;
      const writers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; !stop; i++) {
          const commitId = randomUUID();
          try {
            const r = await chronicle.events.append(`sk-${w}`, Array.from({ length: 5 }, (_, k) => ({ type: 'Tick', data: { i, k } })), {
              expectedVersion: 'any',
              commitId,
            });
            acked.set(r.commitId, { streamId: r.streamId, version: r.version });
          } catch {
            failures++;
            return; // the server is gone; what was acknowledged so far is what counts
          }
        }
      });
      while (acked.size < 40) await new Promise((r) => setTimeout(r, 20));
      server.process.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      await client.close(true);
      expect(failures).toBeGreaterThan(0);

      restarted = await startFerretDb({ dataDir });
      const client2 = await new MongoClient(restarted.uri).connect();
      try {
        const stored = await expectIntactStreams(client2.db('killtest'), 'sk', acked, 5);
        expect(stored).toBeGreaterThanOrEqual(acked.size);
      } finally {
        await client2.close();
      }
    } finally {
      await server.stop();
      await restarted?.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
