import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useChronicle } from '../../support/chronicleFixture.js';
import { logLines, runCli, spawnCli, waitForStderr } from '../../support/runCli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const INDEX = join(ROOT, 'src/index.ts');
const t = useChronicle(import.meta.filename);
const env = (extra: Record<string, string> = {}) => ({ MONGODB_URI: t.uri, CHRONICLE_DB: t.db.databaseName, ...extra });

/** A project's own aggregate, written the way a user would. */
const counterConfig = (snapshots = '{ threshold: 5 }') => `
import { z } from 'zod';
import { defineAggregate, defineConfig } from ${JSON.stringify(INDEX)};

export const counterAggregate = defineAggregate({
  type: 'counter',
  schemaVersion: 3,
  stateSchema: z.object({ total: z.number().int() }),
  commandSchema: z.discriminatedUnion('type', [
    z.object({ type: z.literal('Add'), amount: z.number().int().positive(), note: z.string().optional() }),
    z.object({ type: z.literal('Reset') }),
  ]),
  eventSchemas: {
    Added: z.object({ amount: z.number().int() }),
    Reset: z.object({}),
  },
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => (event.type === 'Added' ? { total: state.total + event.data.amount } : { total: 0 }),
  decide: (command) => (command.type === 'Add' ? [{ type: 'Added', data: { amount: command.amount } }] : [{ type: 'Reset', data: {} }]),
});

export default defineConfig({
  aggregates: [counterAggregate],
  projections: [{ name: 'counter_totals', version: 1 }],
  snapshots: ${snapshots},
});
`;

let dir = '';
/** Writes a project directory (package.json, node_modules link, files) and returns its path. */
async function project(name: string, files: Record<string, string>): Promise<string> {
  const p = join(dir, name);
  await mkdir(p, { recursive: true });
  await writeFile(join(p, 'package.json'), '{ "type": "module" }\n');
  await symlink(join(ROOT, 'node_modules'), join(p, 'node_modules'));
  for (const [file, text] of Object.entries(files)) await writeFile(join(p, file), text);
  return p;
}

async function seedCounter(id: string, events: number) {
  await t.chronicle.events.append(`counter-${id}`, Array.from({ length: events }, () => ({ type: 'Added', data: { amount: 1 } })), { expectedVersion: 0 });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chronicle-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('chronicle.config.ts', () => {
  it('is found from the working directory (also from a subdirectory), and `aggregates --json` lists what it configures', async () => {
    const p = await project('found', { 'chronicle.config.ts': counterConfig() });
    await mkdir(join(p, 'src', 'deep'), { recursive: true });
    for (const cwd of [p, join(p, 'src', 'deep')]) {
      const r = await runCli(['aggregates', '--json'], {}, 30_000, { cwd });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(out).toEqual({
        configFile: expect.stringMatching(/chronicle\.config\.ts$/),
        aggregates: [
          {
            type: 'counter',
            schemaVersion: 3,
            streamIdPattern: 'counter-<id>',
            commands: [
              {
                name: 'Add',
                fields: {
                  type: 'object',
                  properties: { amount: { type: 'integer', exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER }, note: { type: 'string' } },
                  required: ['amount'],
                },
              },
              { name: 'Reset', fields: { type: 'object', properties: {}, required: [] } },
            ],
            events: [
              { name: 'Added', schemaVersion: 1, fields: { type: 'object', properties: { amount: { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER } }, required: ['amount'], additionalProperties: false } },
              { name: 'Reset', schemaVersion: 1, fields: { type: 'object', properties: {}, additionalProperties: false } },
            ],
          },
        ],
        projections: [{ name: 'counter_totals', version: 1 }],
      });
    }
  });

  it('aggregates prints a readable listing; without a config file it lists the built-in aggregates', async () => {
    const p = await project('text', { 'chronicle.config.mts': counterConfig() });
    const r = await runCli(['aggregates'], {}, 30_000, { cwd: p });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      '# from chronicle.config.mts',
      '',
      'counter  state schemaVersion 3, streams "counter-<id>"',
      '  commands',
      '    Add    amount: integer, note?: string',
      '    Reset  -',
      '  events',
      '    Added  v1  amount: integer',
      '    Reset  v1  -',
      '',
      'projections: counter_totals (v1)',
      '',
    ]);
    const builtIn = await runCli(['aggregates'], {}, 30_000, { cwd: await project('none', {}) });
    expect(builtIn.code).toBe(0);
    expect(builtIn.stdout).toMatch(/^# built-in demo aggregates \(no chronicle\.config\.ts found\)\n\nuser {2}state schemaVersion 1/);
    expect(builtIn.stdout).toMatch(/\ntodos {2}state schemaVersion 1, streams "todos-<id>"\n/);
    expect(builtIn.stdout).toContain('    CreateUser  name: string, email: string (email)\n');
  });

  it('snapshot run snapshots the configured aggregates only, with the file < env < flag precedence', async () => {
    await t.chronicle.migrate();
    await seedCounter('a', 6);
    await seedCounter('b', 3);
    await t.chronicle.events.append('user-x', [{ type: 'UserCreated', data: { name: 'X', email: 'x@example.com' } }, ...Array.from({ length: 20 }, (_, i) => ({ type: 'CookiesSet', data: { cookies: i + 1 } }))], { expectedVersion: 0 });
    const p = await project('job', { 'settings.config.ts': counterConfig() });
    const file = join(p, 'settings.config.ts');

    // Threshold 5 from the file: counter-a (6 events) is due, counter-b (3) is not; user-x is not configured.
    const first = await runCli(['--config', file, 'snapshot', 'run', '--once', '--json'], env());
    expect(first.stderr).not.toContain('error');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ streamsScanned: 2, snapshotsWritten: 1, skipped: 1 });
    expect(logLines(first.stderr).find((l) => l.msg === 'snapshot job aggregates')).toMatchObject({ configFile: file, aggregates: ['counter@3'] });
    expect(await t.db.collection('snapshots').find({}, { projection: { _id: 0, streamId: 1, version: 1, schemaVersion: 1, state: 1 } }).toArray()).toEqual([
      { streamId: 'counter-a', version: 6, schemaVersion: 3, state: { total: 6 } },
    ]);

    // The environment beats the file (CHRONICLE_CONFIG names the file this time) ...
    const byEnv = await runCli(['snapshot', 'run', '--once', '--json'], env({ CHRONICLE_CONFIG: file, CHRONICLE_SNAPSHOT_THRESHOLD: '100' }));
    expect(byEnv.code).toBe(0);
    expect(JSON.parse(byEnv.stdout)).toMatchObject({ snapshotsWritten: 0 });
    // ... and a flag beats both.
    const byFlag = await runCli(['snapshot', 'run', '--once', '--json', '--threshold', '2'], env({ CHRONICLE_CONFIG: file, CHRONICLE_SNAPSHOT_THRESHOLD: '100' }));
    expect(byFlag.code).toBe(0);
    expect(JSON.parse(byFlag.stdout)).toMatchObject({ snapshotsWritten: 1 });
    expect(await t.db.collection('snapshots').countDocuments({ streamId: 'counter-b', version: 3 })).toBe(1);
    expect(await t.db.collection('snapshots').countDocuments({ streamType: 'user' })).toBe(0);
  });

  it('start runs the job for the configured aggregates and seeds no demo', async () => {
    const db = `${t.db.databaseName}_start`;
    try {
      const p = await project('start', { 'chronicle.config.js': counterConfig('{ threshold: 1, schedule: "1h" }') });
      const child = spawnCli(['start'], env({ CHRONICLE_DB: db }), { cwd: p });
      await waitForStderr(child, 'snapshot job scheduled');
      child.kill('SIGINT');
      const r = await child.result;
      expect(r.code).toBe(0);
      const logs = logLines(r.stderr);
      expect(logs.find((l) => l.msg.startsWith('aggregates from '))).toMatchObject({ aggregates: ['counter@3'] });
      expect(logs.find((l) => l.msg === 'snapshot job: discovering candidates')).toMatchObject({ scopes: ['counter@3'] });
      expect(logs.find((l) => l.msg.startsWith('seeded the demo'))).toBeUndefined();
      expect(logs.find((l) => l.msg === 'snapshot job scheduled')).toMatchObject({ schedule: '1h' });
    } finally {
      await t.client.db(db).dropDatabase();
    }
  });

  it.each([
    ['a syntax error', 'chronicle.config.ts', 'export default {\n  aggregates: [,\n};\n', /^chronicle: error: config file chronicle\.config\.ts could not be loaded: .*Unexpected token \(\S+chronicle\.config\.ts:3:0\)$/m],
    ['no default export', 'chronicle.config.ts', 'export const aggregates = [];\n', /^chronicle: error: config file chronicle\.config\.ts has no default export; write `export default defineConfig\(\{ aggregates: \[\.\.\.\] \}\)`$/m],
    ['a default export that is no config', 'chronicle.config.mjs', 'export default [1, 2];\n', /^chronicle: error: config file chronicle\.config\.mjs: invalid Chronicle config:\n {2}must be an object \{ aggregates, projections\?, snapshots\? \}$/m],
    ['an entry that is no aggregate', 'chronicle.config.mjs', 'export default { aggregates: [{ type: "x" }] };\n', /config file chronicle\.config\.mjs: invalid Chronicle config:\n {2}aggregates\.0\.schemaVersion: must be a number/],
    [
      'two aggregates with one type',
      'chronicle.config.ts',
      counterConfig().replace('aggregates: [counterAggregate]', 'aggregates: [counterAggregate, { ...counterAggregate, schemaVersion: 4 }]'),
      /^chronicle: error: config file chronicle\.config\.ts: invalid Chronicle config:\n {2}aggregates\.1\.type: two aggregates have type "counter" \(entries 0 and 1\); each stream type needs exactly one definition$/m,
    ],
    ['a bad schedule', 'chronicle.config.ts', counterConfig('{ schedule: "every day" }'), /config file chronicle\.config\.ts: invalid Chronicle config:\n {2}snapshots\.schedule: must be a cron expression like/],
    ['an import that fails', 'chronicle.config.ts', 'import { orders } from "./src/orders.js";\nexport default { aggregates: [orders] };\n', /config file chronicle\.config\.ts could not be loaded: .*Cannot find module '\.\/src\/orders\.js'/],
  ])('fails at start with the file name and the problem, exit code 2: %s', async (_what, name, text, message) => {
    const p = await project(`bad-${name}-${Math.random().toString(36).slice(2)}`, { [name]: text });
    const r = await runCli(['aggregates'], {}, 30_000, { cwd: p });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('refuses a --config or CHRONICLE_CONFIG file that does not exist, and two config files side by side', async () => {
    const missing = await runCli(['--config', 'nowhere.config.ts', 'aggregates'], {}, 30_000, { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('chronicle: error: config file nowhere.config.ts does not exist\n');
    const byEnv = await runCli(['streams'], env({ CHRONICLE_CONFIG: '/nonexistent/x.ts' }));
    expect(byEnv.code).toBe(2);
    expect(byEnv.stderr).toContain('config file /nonexistent/x.ts does not exist');
    const p = await project('two', { 'chronicle.config.ts': counterConfig(), 'chronicle.config.js': 'export default {}' });
    const two = await runCli(['aggregates'], {}, 30_000, { cwd: p });
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/two config files in .*: chronicle\.config\.ts and chronicle\.config\.js; keep one/);
  });
});
