import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/migrations/migrate.js';
import { useTestDatabase } from '../../support/testDatabase.js';

const t = useTestDatabase(import.meta.filename);
const runner = fileURLToPath(new URL('../../support/migrationRunner.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Line {
  event: string;
  [k: string]: unknown;
}

describe('a migration runner paused past its lease', () => {
  it('is superseded, learns it, stops renewing, and treats the record written by its successor as applied', async () => {
    const db = t.db;
    const child = spawn(process.execPath, ['--import', 'tsx', runner, t.uri, db.databaseName, '300'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Line[] = [];
    let buffered = '';
    let upStarted!: () => void;
    const started = new Promise<void>((r) => (upStarted = r));
    child.stdout.on('data', (b: Buffer) => {
      buffered += b.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const p of parts) {
        const line = JSON.parse(p) as Line;
        lines.push(line);
        if (line.event === 'up-start') upStarted();
      }
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

    await started;
    child.kill('SIGSTOP');
    let bRan = 0;
    const slowB = {
      id: '001_slow',
      description: 'slow',
      async up() {
        bRan += 1;
        await db.collection('side_effects').insertOne({ by: 'B' });
      },
    };
    // B's own lease is long: on a loaded machine a 300 ms lease of B's could lapse too, and B would
    // (correctly) run up() again after taking it back, which is not what this test is about.
    const b = await migrate(db, { migrations: [slowB], lock: { ttlMs: 10_000, pollMs: 20, waitMs: 10_000 } });
    // B took over only after A's lease expired on the server's clock, and applied the migration.
    expect(b.applied).toEqual(['001_slow']);
    expect(bRan).toBe(1);
    await sleep(600);
    child.kill('SIGCONT');
    expect(await exited, stderr).toBe(0);

    // A finished its up() (it cannot be stopped mid-call), but recorded nothing of its own:
    // the record was already there, so the migration counts as applied by someone else.
    const result = lines.find((l) => l.event === 'result' || l.event === 'error');
    expect(result).toEqual({ event: 'result', applied: [] });
    expect(lines.some((l) => l.event === 'log' && /lost the migrations lease/.test(String(l.msg)))).toBe(true);
    expect(await db.collection('migrations').countDocuments()).toBe(1);

    // The lease chain: A held epoch 1, B took epoch 2 after it expired; A never renewed
    // after B took over (its expiry is before B's acquisition).
    const leases = await db.collection('leases').find({ name: 'migrations' }).sort({ epoch: 1 }).toArray();
    const first = leases[0];
    const second = leases[1];
    expect(first).toMatchObject({ _id: 'migrations#1', epoch: 1 });
    expect(second).toMatchObject({ _id: 'migrations#2', epoch: 2 });
    expect((first?.expiresAt as Date).getTime()).toBeLessThanOrEqual((second?.acquiredAt as Date).getTime());
    expect(first?.holder).not.toBe(second?.holder);
  });
});
