import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The oldest PostgreSQL whose features the cluster setup uses (event triggers, plan_cache_mode). */
const MIN_MAJOR = 12;

/** A PostgreSQL server installation: the folder holding initdb, pg_ctl, postgres and psql. */
export interface PostgresInstall {
  binDir: string;
  /** e.g. "15.18". */
  version: string;
  major: number;
}

export type PostgresProbe = { found: true; install: PostgresInstall } | { found: false; reason: string };

const TOOLS = ['initdb', 'pg_ctl', 'postgres', 'psql'] as const;

async function candidateDirs(): Promise<string[]> {
  const dirs = new Set<string>();
  // PATH first (it may be a symlink farm such as /usr/local/bin: follow pg_ctl to its real folder).
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const ctl = join(dir, 'pg_ctl');
    if (existsSync(ctl)) dirs.add(dirname(await realpath(ctl).catch(() => ctl)));
  }
  // Debian and Ubuntu keep server binaries off PATH, one folder per major version.
  const debian = '/usr/lib/postgresql';
  for (const version of await readdir(debian).catch(() => [] as string[])) dirs.add(join(debian, version, 'bin'));
  return [...dirs];
}

async function describeInstall(binDir: string): Promise<PostgresInstall | string> {
  const missing = TOOLS.filter((tool) => !existsSync(join(binDir, tool)));
  if (missing.length > 0) return `${binDir} lacks ${missing.join(', ')}`;
  try {
    const { stdout } = await execFileAsync(join(binDir, 'pg_ctl'), ['--version'], { timeout: 5_000 });
    const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(stdout);
    if (!m?.[1]) return `${binDir}/pg_ctl --version printed "${stdout.trim()}"`;
    const major = Number(m[1]);
    if (major < MIN_MAJOR) return `${binDir} is PostgreSQL ${major}, older than ${MIN_MAJOR}`;
    return { binDir, version: m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`, major };
  } catch (err) {
    return `${binDir}/pg_ctl --version failed: ${(err as Error).message}`;
  }
}

function newer(a: PostgresInstall, b: PostgresInstall): boolean {
  const [aMajor, aMinor = 0] = a.version.split('.').map(Number);
  const [bMajor, bMinor = 0] = b.version.split('.').map(Number);
  return aMajor! > bMajor! || (aMajor === bMajor && aMinor > bMinor);
}

let cached: Promise<PostgresProbe> | undefined;

/**
 * Finds the newest installed PostgreSQL server (>= 12) on PATH or under /usr/lib/postgresql/<v>/bin.
 * When running as root the cluster runs as the `postgres` user (initdb refuses root), so that user
 * and a way to become it (runuser or su) must exist too. The answer is cached for the process.
 */
export function findPostgres(): Promise<PostgresProbe> {
  cached ??= (async (): Promise<PostgresProbe> => {
    const problems: string[] = [];
    let best: PostgresInstall | undefined;
    for (const dir of await candidateDirs()) {
      const found = await describeInstall(dir);
      if (typeof found === 'string') problems.push(found);
      else if (!best || newer(found, best)) best = found;
    }
    if (!best) {
      const tail = problems.length > 0 ? ` (${problems.join('; ')})` : '';
      return { found: false, reason: `no PostgreSQL server found: no initdb/pg_ctl on PATH or under /usr/lib/postgresql/*/bin${tail}` };
    }
    if (isRoot()) {
      const user = await execFileAsync('id', ['-u', POSTGRES_USER]).catch(() => null);
      if (!user) return { found: false, reason: `PostgreSQL ${best.version} is installed, but running as root needs a "${POSTGRES_USER}" user to run it` };
      if (!runAsTool()) return { found: false, reason: `PostgreSQL ${best.version} is installed, but running as root needs runuser or su to start it as "${POSTGRES_USER}"` };
    }
    return { found: true, install: best };
  })();
  return cached;
}

/** The OS user a cluster runs as when this process is root. */
export const POSTGRES_USER = 'postgres';

/** True when PostgreSQL's tools must run as POSTGRES_USER (they refuse to run as root). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function runAsTool(): 'runuser' | 'su' | null {
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin', '/bin']) {
    if (existsSync(join(dir, 'runuser'))) return 'runuser';
  }
  for (const dir of ['/usr/bin', '/bin']) {
    if (existsSync(join(dir, 'su'))) return 'su';
  }
  return null;
}

/** Quotes one word for sh. */
export function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The argv that runs `argv` as POSTGRES_USER when this process is root, else `argv` itself. */
export function asClusterOwner(argv: string[]): string[] {
  if (!isRoot()) return argv;
  if (runAsTool() === 'runuser') return ['runuser', '-u', POSTGRES_USER, '--', ...argv];
  return ['su', '-s', '/bin/sh', POSTGRES_USER, '-c', argv.map(shQuote).join(' ')];
}
