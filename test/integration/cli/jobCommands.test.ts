import { describe, expect, it } from 'vitest';
import { useChronicle } from '../../support/chronicleFixture.js';
import { logLines, runCli, spawnCli, waitForStderr } from '../../support/runCli.js';

const t = useChronicle(import.meta.filename);
const env = (db = t.db.databaseName) => ({ MONGODB_URI: t.uri, CHRONICLE_DB: db });

/** A user stream of `events` events written straight to the store (CookiesSet after UserCreated). */
async function seedUser(id: string, events: number, cookies = (i: number) => i) {
  const list = [
    { type: 'UserCreated', data: { name: id, email: `${id}@example.com` } },
    ...Array.from({ length: events - 1 }, (_, i) => ({ type: 'CookiesSet', data: { cookies: cookies(i + 1) } })),
  ];
  await t.chronicle.events.append(`user-${id}`, list, { expectedVersion: 0 });
}

describe('chronicle CLI: snapshot jobs and start', () => {
  it('snapshot run refuses an unmigrated database', async () => {
    const r = await runCli(['snapshot', 'run', '--once'], env(`${t.db.databaseName}_raw`));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not migrated \(pending: 001_create_events, .*\); run `chronicle migrate` first/);
  });

  it('snapshot run --once writes snapshots, reports on stdout, and exits 1 when a stream failed', async () => {
    for (let i = 0; i < 5; i++) await seedUser(`u${i}`, 12);
    await seedUser('short', 9);
    const ok = await runCli(['snapshot', 'run', '--once', '--threshold', '10', '--concurrency', '2'], env());
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^snapshot job: 6 stream\(s\) scanned, 5 snapshot\(s\) written, 1 skipped, 0 failed \(\d+ ms\)\n$/);
    expect(await t.db.collection('snapshots').countDocuments({ streamType: 'user' })).toBe(5);
    expect(logLines(ok.stderr).find((l) => l.msg === 'snapshot job finished')).toMatchObject({ snapshotsWritten: 5 });

    // Negative cookies: the stored events no longer fit the aggregate's event schema.
    await seedUser('broken', 12, () => -1);
    const bad = await runCli(['snapshot', 'run', '--once', '--threshold', '10', '--json'], env());
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { snapshotsWritten: number; failed: { streamId: string; code: string }[] };
    expect(report).toMatchObject({ snapshotsWritten: 0, failed: [{ streamId: 'user-broken', code: 'CORRUPT_DOCUMENT' }] });
  });

  it('snapshot run on a schedule runs --full at once and stops cleanly on SIGTERM', async () => {
    const child = spawnCli(['snapshot', 'run', '--cron', '1h', '--full', '--threshold', '10'], env());
    await waitForStderr(child, 'snapshot job scheduled');
    child.kill('SIGTERM');
    const r = await child.result;
    expect(r.code).toBe(0);
    const msgs = logLines(r.stderr).map((l) => l.msg);
    expect(msgs).toContain('snapshot job finished with failed streams');
    expect(msgs.slice(-2)).toEqual(['received SIGTERM: stopping (send it again to exit at once)', 'snapshot scheduler stopped']);
    expect(logLines(r.stderr).find((l) => l.msg === 'snapshot job: discovering candidates')).toMatchObject({ full: true });
  });

  it('start migrates, seeds the demo into an empty database, snapshots it at once, and stops on SIGINT', async () => {
    const db = `${t.db.databaseName}_demo`;
    try {
      const child = spawnCli(['start', '--demo', '--cron', '1h'], env(db));
      // The demo's read models log their summaries after their first catch-up (after the job is scheduled or before).
      const summaries = waitForStderr(child, /user_directory_v1 caught up[^]*todo_summaries_v1 caught up|todo_summaries_v1 caught up[^]*user_directory_v1 caught up/);
      await waitForStderr(child, 'snapshot job scheduled');
      await summaries;
      // The worker's sequencer numbers every demo commit.
      for (let i = 0; (await t.client.db(db).collection('events').countDocuments({ position: null })) > 0; i++) {
        if (i > 200) throw new Error('demo commits not numbered in 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGINT');
      const r = await child.result;
      expect(r.code).toBe(0);
      const logs = logLines(r.stderr);
      expect(logs.find((l) => l.msg.startsWith('applied 7 migration'))).toBeDefined();
      expect(logs.find((l) => l.msg.startsWith('todo_summaries_v1 caught up'))).toMatchObject({ lists: 3, total: 60, open: 56, done: 4 });
      expect(logs.find((l) => l.msg.startsWith('user_directory_v1 caught up'))).toMatchObject({ users: 3, deleted: 0 });
      expect(logs.find((l) => l.msg.startsWith('seeded the demo: 6 streams'))).toBeDefined();
      expect(logs.find((l) => l.msg === 'snapshot job finished')).toMatchObject({ streamsScanned: 6, snapshotsWritten: 4, skipped: 2, failed: 0 });
      expect(await t.client.db(db).collection('snapshots').countDocuments()).toBe(4);
      expect(logs.find((l) => /^sequencer: numbered \d+ commit/.test(l.msg))).toBeDefined();
      expect(await t.client.db(db).collection('positions').countDocuments()).toBe(await t.client.db(db).collection('events').countDocuments());
      expect(logs.at(-1)?.msg).toBe('worker stopped');
    } finally {
      await t.client.db(db).dropDatabase();
    }
  });

  it('start with no MONGODB_URI runs its own embedded server and says so', async () => {
    const child = spawnCli(['start', '--cron', '1h', '--threshold', '20'], { CHRONICLE_DB: 'demo' });
    await waitForStderr(child, 'snapshot job scheduled', 90_000);
    child.kill('SIGTERM');
    const r = await child.result;
    expect(r.code).toBe(0);
    const logs = logLines(r.stderr);
    expect(logs.find((l) => l.msg.startsWith('MONGODB_URI is not set: starting an embedded server'))).toBeDefined();
    expect(logs.find((l) => l.msg.startsWith('embedded server running:'))).toBeDefined();
    expect(logs.find((l) => l.msg === 'snapshot job finished')).toMatchObject({ snapshotsWritten: 4 });
    expect(logs.at(-1)?.msg).toBe('embedded server stopped');
  });
});
