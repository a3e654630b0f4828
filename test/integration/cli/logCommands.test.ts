import { describe, expect, it } from 'vitest';
import { createSequencer } from '../../../src/log/sequencer.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { runCli, spawnCli } from '../../support/runCli.js';

const t = useChronicle(import.meta.filename);
const env = () => ({ MONGODB_URI: t.uri, CHRONICLE_DB: t.db.databaseName });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('chronicle CLI: log and tail', () => {
  it('log reports pending commits and no sequencer when none runs, then the head once numbered', async () => {
    for (let i = 0; i < 3; i++) await t.chronicle.events.append(`cli-${i}`, [{ type: 'Noted', data: { i } }], { expectedVersion: 0 });
    const before = await runCli(['log', '--json'], env());
    expect(before.code, before.stderr).toBe(0);
    const status = JSON.parse(before.stdout) as { head: number; pending: number; oldestPendingAt: string; oldestPendingAgeMs: number; sequencer: unknown };
    expect(status).toMatchObject({ head: 0, pending: 3, sequencer: null });
    expect(status.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
    const text = await runCli(['log'], env());
    expect(text.stdout).toMatch(/pending\s+3/);
    expect(text.stdout).toMatch(/sequencer\s+none running/);

    await createSequencer(t.db, { lease: false }).drain();
    const after = JSON.parse((await runCli(['log', '--json'], env())).stdout) as { head: number; pending: number };
    expect(after).toMatchObject({ head: 3, pending: 0 });
  });

  it('tail prints the whole history in global order; --after skips the start', async () => {
    const r = await runCli(['tail', '--json'], env());
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { position: number; streamId: string; type: string });
    expect(lines.map((l) => [l.position, l.streamId])).toEqual([
      [1, 'cli-0'],
      [2, 'cli-1'],
      [3, 'cli-2'],
    ]);
    const later = await runCli(['tail', '--after', '2'], env());
    expect(later.stdout.trim().split('\n')).toHaveLength(1);
    expect(later.stdout).toMatch(/^#3 .* cli-2@v1 {2}Noted {2}\{"i":2\}/);
  });

  it('tail --follow --json prints events as they are appended and numbered, and stops on SIGINT', async () => {
    const seq = createSequencer(t.db, { lease: { ttlMs: 5_000 }, minPollMs: 5, maxPollMs: 50 });
    seq.start();
    const child = spawnCli(['tail', '--follow', '--json', '--after', '3'], env());
    try {
      await sleep(1_500);
      for (let i = 0; i < 4; i++) await t.chronicle.events.append('live-1', [{ type: 'Ticked', data: { i } }], { expectedVersion: i });
      let out = '';
      child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
      for (let waited = 0; out.trim().split('\n').filter(Boolean).length < 4; waited += 50) {
        if (waited > 20_000) throw new Error(`tail printed only: ${out}`);
        await sleep(50);
      }
      child.kill('SIGINT');
      const r = await child.result;
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { position: number; streamId: string; version: number; data: { i: number } });
      expect(lines.map((l) => [l.position, l.streamId, l.version, l.data.i])).toEqual([
        [4, 'live-1', 1, 0],
        [5, 'live-1', 2, 1],
        [6, 'live-1', 3, 2],
        [7, 'live-1', 4, 3],
      ]);
    } finally {
      child.kill('SIGKILL');
      await seq.stop();
    }
  });
});
