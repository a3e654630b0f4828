import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSequencer } from '../../../src/log/sequencer.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { expectIntactLog } from '../../support/logIntegrity.js';

const t = useChronicle(import.meta.filename);
const worker = fileURLToPath(new URL('../../support/sequencerWorker.ts', import.meta.url));

describe('a sequencer killed in the middle of a batch', () => {
  it('leaves positions without copies; the next sequencer repairs them with no gap and no duplicate', async () => {
    for (let i = 0; i < 30; i++) await t.chronicle.events.append(`acct-${i % 7}`, [{ type: 'Deposited', data: { i } }], { expectedVersion: 'any' });
    const child = spawn(process.execPath, ['--import', 'tsx', worker, t.uri, t.db.databaseName], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    const inserted = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /POSITIONS (\d+)\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', () => reject(new Error(`worker exited before its batch: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // The crash window: every commit has a position, none has its copy.
    expect(inserted).toBe(30);
    expect(await t.db.collection('positions').countDocuments()).toBe(30);
    expect(await t.db.collection('events').countDocuments({ position: null })).toBe(30);
    expect(await expectIntactLog(t.db, { copies: false })).toBe(30);
    expect((await t.chronicle.log.read({ limit: 100 })).map((c) => c.position)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));

    // New commits arrive, then a new sequencer: it repairs the copies and numbers the rest after them.
    for (let i = 0; i < 5; i++) await t.chronicle.events.append(`acct-${i}`, [{ type: 'Deposited', data: { late: i } }], { expectedVersion: 'any' });
    const next = createSequencer(t.db, { lease: false });
    expect(await next.drain()).toBe(5);
    expect(next.status().repaired).toBe(30);
    expect(await expectIntactLog(t.db)).toBe(35);
    expect(await t.chronicle.log.pending()).toEqual({ count: 0, oldestRecordedAt: null });
  });
});
