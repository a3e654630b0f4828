import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { access, chown, constants, mkdir, mkdtemp, readFile, rename, rm, statfs } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ChronicleError } from '../errors.js';
import { cacheRoot } from './ferretdbLauncher.js';
import { customPlansSql, GIN_INDEX_TRIGGER_SQL } from './ginIndexTrigger.js';
import { asClusterOwner, findPostgres, isRoot, POSTGRES_USER, shQuote, type PostgresInstall } from './postgresInstall.js';
import { spawnWatchdog, type Watchdog } from './postgresWatchdog.js';

/** The database FerretDB stores everything in (one PostgreSQL schema per MongoDB database). */
export const FERRETDB_DATABASE = 'ferretdb';
/** Bump when the template's contents change in a way the hash below does not see. */
const TEMPLATE_FORMAT = 3;
const SUPERUSER = 'postgres';

/** A running PostgreSQL server prepared for FerretDB (see ginIndexTrigger.ts). */
export interface PostgresCluster {
  /** Connection string for FerretDB's postgresql handler. */
  url: string;
  /** 127.0.0.1 port (password auth, and no password is set: connect through `socketDir`). */
  port: number;
  /** Folder holding the unix socket: `baseDir`, or a short folder in /tmp when that path is too long. */
  socketDir: string;
  /** Folder holding `pgdata/`, `postgres.log` and `pg_ctl.log`. */
  baseDir: string;
  install: PostgresInstall;
  /** Pid of the shell that stops the server when this process goes away. */
  watchdogPid: number;
  /** Runs SQL with psql in FerretDB's database (or `database`) and returns its unaligned output. */
  psql(sql: string, opts?: { database?: string }): Promise<string>;
  /** The postmaster's pid, from `postmaster.pid`. */
  postmasterPid(): Promise<number>;
  /** Stops the server; a throwaway cluster's folder is removed, a `dataDir` is kept. */
  stop(): Promise<void>;
}

export interface StartPostgresClusterOptions {
  /** Keep the cluster in this folder and reuse it next time; without it a temp folder is used and removed. */
  dataDir?: string;
  install?: PostgresInstall;
  log?: (msg: string) => void;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(argv: string[], opts: { cwd: string; input?: string; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // a tool that exits without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

async function runOrThrow(what: string, argv: string[], opts: { cwd: string; input?: string }): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new ChronicleError('CONNECTION', `${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-2000)}`);
  return r.stdout;
}

/** A folder the cluster owner can write: chowned to the postgres user when this process is root. */
async function ownedByClusterOwner(dir: string): Promise<void> {
  if (!isRoot()) return;
  const id = await runOrThrow('id', ['id', '-u', POSTGRES_USER], { cwd: '/' });
  const gid = await runOrThrow('id', ['id', '-g', POSTGRES_USER], { cwd: '/' });
  await chown(dir, Number(id.trim()), Number(gid.trim()));
}

/**
 * Where throwaway clusters go: /dev/shm when it is a writable memory file system with room to
 * spare, else the OS temp folder. Copying the template's thousand files to a disk file system
 * took 1.1–1.4 s of system time on our CI machine, to /dev/shm 0.09 s; the data is thrown away anyway.
 */
async function scratchRoot(): Promise<string> {
  const shm = '/dev/shm';
  try {
    await access(shm, constants.W_OK | constants.X_OK);
    const fs = await statfs(shm);
    const TMPFS_MAGIC = 0x01021994;
    if (fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize > 2 * 1024 ** 3) return shm;
  } catch {
    // no /dev/shm here
  }
  return tmpdir();
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function tail(file: string): Promise<string> {
  return (await readFile(file, 'utf8').catch(() => '')).slice(-3000).trim();
}

interface Started {
  cluster: PostgresCluster;
  watchdog: Watchdog;
}

/** Starts the server in `baseDir/pgdata` under a watchdog; the caller prepared the folder. */
async function startServer(install: PostgresInstall, baseDir: string, throwaway: boolean): Promise<Started> {
  const pgdata = join(baseDir, 'pgdata');
  const ctlLog = join(baseDir, 'pg_ctl.log');
  const serverLog = join(baseDir, 'postgres.log');
  // A unix socket path must fit in sockaddr_un (108 bytes): a long dataDir gets its socket in /tmp.
  const ownSocketDir = join(baseDir, '.s.PGSQL.65535').length > 100 ? await mkdtemp(join(tmpdir(), 'chronicle-pgsock-')) : null;
  if (ownSocketDir) await ownedByClusterOwner(ownSocketDir);
  const socketDir = ownSocketDir ?? baseDir;
  const port = await freePort();
  const settings = ['-p', String(port), '-h', '127.0.0.1', '-k', socketDir];
  // Throwaway data need not survive a machine crash; a killed FerretDB loses nothing either way.
  if (throwaway) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const pgCtl = join(install.binDir, 'pg_ctl');
  const watchdog = spawnWatchdog({
    start: asClusterOwner([pgCtl, 'start', '-D', pgdata, '-l', serverLog, '-w', '-t', '60', '-o', settings.map(shQuote).join(' ')]),
    stopFast: asClusterOwner([pgCtl, 'stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '30']),
    stopImmediate: asClusterOwner([pgCtl, 'stop', '-D', pgdata, '-m', 'immediate', '-w', '-t', '30']),
    ctlLog,
    removeOnEof: throwaway ? baseDir : null,
    removeAlways: ownSocketDir,
    cwd: baseDir,
  });
  const code = await watchdog.start(90_000).catch(async (err: unknown) => {
    await watchdog.stop({ keep: !throwaway }).catch(() => {});
    throw err;
  });
  if (code !== 0) {
    const detail = `${await tail(ctlLog)}\n${await tail(serverLog)}`.trim();
    await watchdog.stop({ keep: !throwaway }).catch(() => {});
    throw new ChronicleError('CONNECTION', `PostgreSQL ${install.version} did not start in ${baseDir} (pg_ctl exit ${code}): ${detail}`);
  }
  const host = socketDir;
  const psql = async (sql: string, opts: { database?: string } = {}) =>
    runOrThrow('psql', [join(install.binDir, 'psql'), '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', host, '-p', String(port), '-U', SUPERUSER, '-d', opts.database ?? FERRETDB_DATABASE, '-f', '-'], {
      cwd: baseDir,
      input: sql,
    });
  const cluster: PostgresCluster = {
    url: `postgres://${SUPERUSER}@/${FERRETDB_DATABASE}?host=${encodeURIComponent(host)}&port=${port}`,
    port,
    socketDir,
    baseDir,
    install,
    watchdogPid: watchdog.pid,
    psql,
    postmasterPid: async () => Number((await readFile(join(pgdata, 'postmaster.pid'), 'utf8')).split('\n')[0]),
    stop: () => watchdog.stop({ keep: !throwaway }),
  };
  return { cluster, watchdog };
}

/**
 * A cluster with FerretDB's database, the GIN trigger and custom plans already in place, made once
 * per PostgreSQL version and trigger text and copied for each run: a copy and a start take a
 * fraction of initdb's second.
 */
async function ensureTemplate(install: PostgresInstall, log: (msg: string) => void): Promise<string> {
  const key = createHash('sha256').update(`${TEMPLATE_FORMAT}\n${install.binDir}\n${install.version}\n${GIN_INDEX_TRIGGER_SQL}\n${customPlansSql(FERRETDB_DATABASE)}`).digest('hex').slice(0, 16);
  const dir = join(cacheRoot(), 'postgresql-template', key);
  const pgdata = join(dir, 'pgdata');
  if (existsSync(join(pgdata, 'PG_VERSION'))) return pgdata;

  const started = Date.now();
  // The postgres user cannot reach a cache under /root: build in /tmp, then copy.
  const work = await mkdtemp(join(await scratchRoot(), 'chronicle-pgtemplate-'));
  try {
    await ownedByClusterOwner(work);
    const initdb = [join(install.binDir, 'initdb'), '-D', join(work, 'pgdata'), '-U', SUPERUSER, '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '--wal-segsize=1', '-E', 'UTF8', '--locale=C'];
    await runOrThrow('initdb', asClusterOwner(initdb), { cwd: work });
    const { cluster, watchdog } = await startServer(install, work, true);
    try {
      await cluster.psql(`CREATE DATABASE ${FERRETDB_DATABASE};`, { database: 'postgres' });
      await cluster.psql(`${GIN_INDEX_TRIGGER_SQL}\n${customPlansSql(FERRETDB_DATABASE)}`);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    // A clean shutdown leaves a template that starts without recovery.
    await watchdog.stop({ keep: true });
    const staging = `${dir}.${process.pid}.${Date.now()}.tmp`;
    await mkdir(staging, { recursive: true });
    await runOrThrow('cp', ['cp', '-a', join(work, 'pgdata'), staging], { cwd: '/' });
    // Two processes building at once: the first rename wins, the other copy is dropped.
    await rename(staging, dir).catch(async () => rm(staging, { recursive: true, force: true }));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  log(`prepared a PostgreSQL ${install.version} template cluster in ${dir} (${Date.now() - started} ms, once per version)`);
  return pgdata;
}

/**
 * Starts a PostgreSQL server for FerretDB: a copy of the template cluster in a temp folder (or in
 * `dataDir`, reused when it already holds one), on a free 127.0.0.1 port, its unix socket in the
 * same folder. Run as the postgres user when this process is root. A watchdog stops it and removes
 * a throwaway folder when stop() is called or this process dies, however it dies.
 */
export async function startPostgresCluster(opts: StartPostgresClusterOptions = {}): Promise<PostgresCluster> {
  const log = opts.log ?? (() => {});
  let install = opts.install;
  if (!install) {
    const probe = await findPostgres();
    if (!probe.found) throw new ChronicleError('CONFIG', probe.reason);
    install = probe.install;
  }
  const template = await ensureTemplate(install, log);
  const throwaway = opts.dataDir === undefined;
  for (let attempt = 1; ; attempt++) {
    const baseDir = throwaway ? await mkdtemp(join(await scratchRoot(), 'chronicle-pg-')) : resolve(opts.dataDir!);
    await mkdir(baseDir, { recursive: true });
    await ownedByClusterOwner(baseDir);
    if (isRoot() && (await run(asClusterOwner(['test', '-w', baseDir, '-a', '-x', baseDir]), { cwd: '/' })).code !== 0) {
      throw new ChronicleError(
        'CONFIG',
        `PostgreSQL runs as the "${POSTGRES_USER}" user when Chronicle runs as root, and that user cannot reach ${baseDir}: make its parent folders searchable (chmod o+x) or choose a data folder elsewhere`,
      );
    }
    const pgdata = join(baseDir, 'pgdata');
    if (!existsSync(join(pgdata, 'PG_VERSION'))) {
      await runOrThrow('cp', ['cp', '-a', template, pgdata], { cwd: '/' });
    } else {
      const major = Number((await readFile(join(pgdata, 'PG_VERSION'), 'utf8')).trim());
      if (major !== install.major) {
        throw new ChronicleError('CONFIG', `${pgdata} holds a PostgreSQL ${major} cluster, but the installed server is ${install.version}`);
      }
    }
    try {
      return (await startServer(install, baseDir, throwaway)).cluster;
    } catch (err) {
      // Another process may have taken the free port between our check and the start.
      if (attempt < 3 && /could not bind|already in use/i.test((err as Error).message)) continue;
      if (throwaway) await rm(baseDir, { recursive: true, force: true });
      throw err;
    }
  }
}
