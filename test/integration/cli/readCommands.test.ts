import { beforeAll, describe, expect, it } from 'vitest';
import { todoListAggregate, userAggregate } from '../../../src/domain/index.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { logLines, runCli } from '../../support/runCli.js';

const t = useChronicle(import.meta.filename);
const env = () => ({ MONGODB_URI: t.uri, CHRONICLE_DB: t.db.databaseName });

beforeAll(async () => {
  const users = t.chronicle.aggregate(userAggregate);
  await users.handle('alice', { type: 'CreateUser', name: 'Alice', email: 'alice@example.com' }, { metadata: { actor: 'admin', correlationId: 'c-1' } });
  await users.handle('alice', { type: 'SetCookies', cookies: 3 });
  await users.handle('alice', { type: 'UpdateUser', name: 'Alice B' });
  const todos = t.chronicle.aggregate(todoListAggregate);
  for (let i = 0; i < 4; i++) await todos.handle('home', { type: 'CreateTodo', todoId: `t${i}`, text: `task ${i}` });
  await t.chronicle.snapshots.save({ streamId: 'todos-home', version: 2, schemaVersion: 1, state: { todos: [] } });
});

describe('chronicle CLI: reading', () => {
  it.each([['stats'], ['streams'], ['events', 'user-alice']])('%s on a database that does not exist says so and exits 1', async (...args) => {
    const r = await runCli(args, { ...env(), CHRONICLE_DB: `${t.db.databaseName}_nosuch` });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`database "${t.db.databaseName}_nosuch" does not exist or is not migrated`);
  });

  it('migrate applies pending migrations once and says so', async () => {
    const fresh = { ...env(), CHRONICLE_DB: `${t.db.databaseName}_fresh` };
    try {
      const first = await runCli(['migrate'], fresh);
      expect(first.code).toBe(0);
      expect(first.stdout.trim().split('\n')).toEqual(['applied 001_create_events', 'applied 002_create_snapshots', 'applied 003_inspection_indexes', 'applied 004_snapshot_job_runs', 'applied 005_global_log', 'applied 006_leases', 'applied 007_projections']);
      const again = await runCli(['migrate'], fresh);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/is up to date/);
    } finally {
      await t.client.db(fresh.CHRONICLE_DB).dropDatabase();
    }
  });

  it('events prints the history, human-readable by default and as NDJSON with --json', async () => {
    const text = await runCli(['events', 'user-alice'], env());
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^v1 {2}\d{4}-\d\d-\d\dT\S+Z {2}UserCreated {2}\{"name":"Alice","email":"alice@example.com"\} {2}commit=\S+ {2}correlationId=c-1 {2}actor=admin$/);

    const json = await runCli(['events', 'user-alice', '--json', '--after', '1'], env());
    expect(json.code).toBe(0);
    const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => [e.version, e.type])).toEqual([
      [2, 'CookiesSet'],
      [3, 'UserUpdated'],
    ]);
    expect(Object.keys(events[0] ?? {})).toEqual(['streamId', 'version', 'type', 'data', 'recordedAt', 'commitId', 'metadata']);
    expect(events[0]).toMatchObject({ streamId: 'user-alice', data: { cookies: 3 }, metadata: null });
    expect(new Date(String(events[0]?.recordedAt)).getTime()).toBeGreaterThan(0);

    const none = await runCli(['events', 'user-nobody'], env());
    expect(none).toMatchObject({ code: 0, stdout: '' });
    expect(logLines(none.stderr).some((l) => l.msg.startsWith('no events'))).toBe(true);
  });

  it('streams lists versions, latest snapshots and lag', async () => {
    const table = await runCli(['streams'], env());
    expect(table.code).toBe(0);
    expect(table.stdout.trim().split('\n').map((l) => l.split(/\s+/))).toEqual([
      ['STREAM', 'TYPE', 'VERSION', 'SNAPSHOT', 'LAG'],
      ['todos-home', 'todos', '4', '2', '2'],
      ['user-alice', 'user', '3', '-', '3'],
    ]);
    const json = await runCli(['streams', '--type', 'user', '--json'], env());
    expect(json.code).toBe(0);
    expect(json.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { streamId: 'user-alice', streamType: 'user', version: 3, commits: 3, snapshotVersion: null, snapshots: 0, lag: 3 },
    ]);
  });

  it('stats counts streams, commits, events, snapshots and lag', async () => {
    const json = await runCli(['stats', '--json', '--threshold', '3'], env());
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      streams: 2,
      commits: 7,
      events: 7,
      snapshots: 1,
      threshold: 3,
      lag: { max: 3, due: 1, withoutSnapshot: 1 },
      byType: { user: { streams: 1, events: 3 }, todos: { streams: 1, events: 4, snapshots: 1 } },
    });
    const text = await runCli(['stats'], env());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^streams +2\ncommits +7\nevents +7\nsnapshots +1\n/);
    expect(text.stdout).toMatch(/max 3, mean 2.5; 0 stream\(s\) due \(lag >= 100\), 1 without a snapshot/);
  });

  it('exits 2 with a clear message on bad usage and bad values', async () => {
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [['snapshot', 'run', '--once', '--threshold', 'abc'], /--threshold <n>' argument 'abc' is invalid/],
      [['events', '{"$gt":""}'], /must be a literal stream id/],
      [['events', '$where'], /must be a literal stream id/],
      [['events'], /missing required argument 'streamId'/],
      [['events', 'user-alice', '--after', '-1'], /--after <version>' argument '-1' is invalid/],
      [['streams', '--type', 'a b'], /must be a stream type/],
      [['bogus'], /unknown command 'bogus'/],
      [[], /Usage: chronicle/],
      [['snapshot', 'run', '--once', '--cron', '5s'], /cannot be used with option '--cron/],
      [['snapshot', 'run', '--cron', 'every day'], /neither an interval/],
      [['stats'], /CHRONICLE_SNAPSHOT_THRESHOLD="abc": must be a number/, { CHRONICLE_SNAPSHOT_THRESHOLD: 'abc' }],
      [['stats'], /no MongoDB URI/, { MONGODB_URI: '' }],
      [['--uri', 'http://example.com', 'stats'], /MONGODB_URI=http:\/\/example.com: must start with mongodb/],
    ];
    // Three at a time: each is a Node process, and CI has two cores.
    const results = [];
    for (let i = 0; i < cases.length; i += 3) {
      results.push(...(await Promise.all(cases.slice(i, i + 3).map(([args, , extra]) => runCli(args, { ...env(), ...extra })))));
    }
    results.forEach((r, i) => {
      const [args, message] = cases[i] as [string[], RegExp];
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
    const help = await runCli(['--help'], env());
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Commands:[\s\S]*snapshot[\s\S]*events[\s\S]*streams[\s\S]*stats[\s\S]*start/);
  });

  it('fails fast with one clear line, and no password, when the server is unreachable', async () => {
    const r = await runCli(['--uri', 'mongodb://admin:hunter2@127.0.0.1:1/', 'stats'], env());
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr.trim()).toMatch(/^chronicle: error: cannot connect to MongoDB at mongodb:\/\/admin:\*\*\*@127\.0\.0\.1:1\/: .+$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('hunter2');
    expect(r.stdout).toBe('');
  });
});
