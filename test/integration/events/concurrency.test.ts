import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createChronicle } from '../../../src/chronicle.js';
import { ConcurrencyError } from '../../../src/errors.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { expectIntactStreams } from '../../support/integrity.js';

const t = useChronicle(import.meta.filename);

describe('concurrent writers', () => {
  it('12 writers on one stream, each retrying on ConcurrencyError: every acknowledged append stored exactly once', async () => {
    const writers = 12;
    const perWriter = 10;
    const clients = await Promise.all(Array.from({ length: writers }, () => new MongoClient(t.uri).connect()));
    const acked = new Map<string, { streamId: string; version: number }>();
    let conflicts = 0;
    try {
      await Promise.all(
        clients.map(async (client, w) => {
          const chronicle = createChronicle(client.db(t.db.databaseName));
          for (let i = 0; i < perWriter; i++) {
            for (;;) {
              const head = await chronicle.events.version('hot-1');
              try {
                const r = await chronicle.events.append('hot-1', [{ type: 'Tick', data: { w, i } }], { expectedVersion: head });
                acked.set(r.commitId, { streamId: r.streamId, version: r.version });
                break;
              } catch (err) {
                if (!(err instanceof ConcurrencyError)) throw err;
                conflicts++;
              }
            }
          }
        }),
      );
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    expect(acked.size).toBe(writers * perWriter);
    expect(conflicts).toBeGreaterThan(0); // the test really raced
    await expectIntactStreams(t.db, 'hot', acked);
    const events = await t.chronicle.events.read('hot-1');
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: writers * perWriter }, (_, i) => i + 1));
    const written = new Set(events.map((e) => JSON.stringify(e.data)));
    expect(written.size).toBe(writers * perWriter);
  });

  it("'any' appends from many writers all land, contiguous", async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => t.chronicle.events.append('any-1', [{ type: 'A', data: { i } }, { type: 'B', data: { i } }], { expectedVersion: 'any' })),
    );
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => (i + 1) * 2));
    const acked = new Map(results.map((r) => [r.commitId, { streamId: r.streamId, version: r.version }]));
    await expectIntactStreams(t.db, 'any', acked, 2);
  });

  it('a writer process killed with SIGKILL mid-run leaves only whole commits, and every acknowledged one', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/appendWorker.ts', t.uri, t.db.databaseName, 'killed', '3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const acked = new Map<string, { streamId: string; version: number }>();
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker made too little progress: ${stderr}`)), 45_000);
      createInterface({ input: child.stdout }).on('line', (line) => {
        const [tag, commitId, streamId, version] = line.split(' ');
        if (tag !== 'ACK' || !commitId || !streamId) return;
        acked.set(commitId, { streamId, version: Number(version) });
        if (acked.size === 30) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', (code) => {
        if (acked.size < 30) reject(new Error(`worker exited early (${code}): ${stderr}`));
      });
    });
    await exited;
    const commits = await expectIntactStreams(t.db, 'killed', acked, 20);
    expect(commits).toBeGreaterThanOrEqual(30);
  });
});
