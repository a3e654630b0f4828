import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Absolute, so the CLI can run from any working directory (config file discovery).
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(ROOT, 'src/cli/main.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Environment without the parent's Chronicle settings, so a test states all it relies on. */
function cleanEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'MONGODB_URI' && !k.startsWith('CHRONICLE_')));
  return { ...base, CHRONICLE_LOG_LEVEL: 'info', ...env };
}

/** Starts `chronicle <args>` from the sources as a child process (in the repository unless `cwd`). */
export function spawnCli(args: string[], env: Record<string, string | undefined> = {}, opts: { cwd?: string } = {}): ChildProcess & { result: Promise<CliResult> } {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: opts.cwd ?? ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
  return Object.assign(child, { result });
}

/** Runs `chronicle <args>` to completion (killed after `timeoutMs`). */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 30_000, opts: { cwd?: string } = {}): Promise<CliResult> {
  const child = spawnCli(args, env, opts);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await child.result;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the child's stderr contains `text` (pino lines), or rejects after `timeoutMs`. */
export function waitForStderr(child: ChildProcess, text: string | RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)}; stderr so far:\n${seen}`)), timeoutMs);
    const onData = (c: Buffer) => {
      seen += c.toString();
      if (typeof text === 'string' ? seen.includes(text) : text.test(seen)) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        resolve(seen);
      }
    };
    child.stderr?.on('data', onData);
  });
}

/** Parses pino's JSON lines from stderr, ignoring anything else. */
export function logLines(stderr: string): { msg: string; level: number; [k: string]: unknown }[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; level: number });
}
