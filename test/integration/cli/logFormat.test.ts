import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/testDatabase.js';
import { logLines, runCli } from '../../support/runCli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const t = useTestDatabase(import.meta.filename);
const env = () => ({ MONGODB_URI: t.uri, CHRONICLE_DB: t.db.databaseName });

/** Runs the CLI under `script`, so stdin, stdout and stderr are a pseudo-terminal. */
function runOnTerminal(args: string[], extraEnv: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'MONGODB_URI' && !k.startsWith('CHRONICLE_')));
  const command = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: { ...base, ...extraEnv, TERM: 'dumb' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe('chronicle CLI log format', () => {
  it('writes JSON log lines when stderr is not a terminal', async () => {
    const r = await runCli(['migrate'], env());
    expect(r.code).toBe(0);
    expect(logLines(r.stderr).map((l) => l.msg)).toContainEqual(expect.stringMatching(/^applied migration 001_create_events: /));
  });

  it('writes readable lines when stderr is a terminal, and JSON there with CHRONICLE_LOG_FORMAT=json', async () => {
    const pretty = await runOnTerminal(['migrate'], { ...env(), CHRONICLE_DB: `${t.db.databaseName}_a`, CHRONICLE_LOG_LEVEL: 'info' });
    expect(pretty.code).toBe(0);
    expect(pretty.output).toMatch(/\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*: .*applied migration 001_create_events/);
    expect(pretty.output).not.toContain('"level":30');

    const json = await runOnTerminal(['migrate'], { ...env(), CHRONICLE_DB: `${t.db.databaseName}_b`, CHRONICLE_LOG_LEVEL: 'info', CHRONICLE_LOG_FORMAT: 'json' });
    expect(json.code).toBe(0);
    expect(json.output).toMatch(/^\{"level":30,.*"msg":"applied migration 001_create_events: .*\}\r?$/m);
    await t.client.db(`${t.db.databaseName}_a`).dropDatabase();
    await t.client.db(`${t.db.databaseName}_b`).dropDatabase();
  });

  it('forces readable lines with CHRONICLE_LOG_FORMAT=pretty, and refuses an unknown format', async () => {
    const r = await runCli(['migrate'], { ...env(), CHRONICLE_DB: `${t.db.databaseName}_c`, CHRONICLE_LOG_FORMAT: 'pretty' });
    await t.client.db(`${t.db.databaseName}_c`).dropDatabase();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: applied migration 001_create_events: /m);
    expect(logLines(r.stderr)).toEqual([]);
    const bad = await runCli(['migrate'], { ...env(), CHRONICLE_LOG_FORMAT: 'fancy' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('CHRONICLE_LOG_FORMAT="fancy": must be one of auto, pretty, json');
  });
});
