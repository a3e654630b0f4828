import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ChronicleError } from '../errors.js';

const execFileAsync = promisify(execFile);

/** The toolchain FerretDB 1.24.2's go.mod asks for; used when the local Go refuses the build. */
const FALLBACK_TOOLCHAIN = 'go1.24.3';

function packageRoot(): string {
  // src/server/ and dist/src/server/ both sit below the package root; walk up to package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new ChronicleError('CONFIG', 'cannot find the chronicle package root');
    dir = parent;
  }
  return dir;
}

/** Folder holding the launcher's Go sources. */
export function launcherSourceDir(): string {
  return join(packageRoot(), 'tools', 'ferretdb-launcher');
}

/** Where Chronicle caches built or generated artefacts (CHRONICLE_CACHE_DIR, else ~/.cache/chronicle). */
export function cacheRoot(): string {
  return process.env.CHRONICLE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'chronicle');
}

async function sourceHash(srcDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) {
    hash.update(file);
    hash.update(await readFile(join(srcDir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

export interface LauncherBinary {
  path: string;
  /** True when this call compiled it; false when it came from the cache. */
  built: boolean;
  buildMs: number;
}

/**
 * Returns the path of the compiled FerretDB launcher, building it with Go when the
 * cache has no binary for the current sources. The cache key is a hash of the
 * sources, so editing go.mod or main.go triggers exactly one rebuild.
 */
export async function ensureLauncherBinary(log: (msg: string) => void = () => {}): Promise<LauncherBinary> {
  const srcDir = launcherSourceDir();
  const hash = await sourceHash(srcDir);
  const binDir = join(cacheRoot(), 'ferretdb-launcher', hash);
  const binPath = join(binDir, 'ferretdb-launcher');
  if (existsSync(binPath)) return { path: binPath, built: false, buildMs: 0 };

  await mkdir(binDir, { recursive: true });
  // Build to a unique name and rename: two processes building at once must not see a half-written binary.
  const tmpPath = `${binPath}.${process.pid}.${Date.now()}.tmp`;
  const started = Date.now();
  log(`building the FerretDB launcher (first run only, about a minute) into ${binDir}`);
  const build = (toolchain: string | undefined) =>
    execFileAsync('go', ['build', '-trimpath', '-o', tmpPath, '.'], {
      cwd: srcDir,
      env: { ...process.env, CGO_ENABLED: '0', ...(toolchain ? { GOTOOLCHAIN: toolchain } : {}) },
      maxBuffer: 16 * 1024 * 1024,
    });
  try {
    try {
      await build(undefined);
    } catch (first) {
      const text = String((first as { stderr?: string }).stderr ?? first);
      if (!/toolchain|go version|requires go/i.test(text)) throw first;
      log(`local Go refused the build; retrying with GOTOOLCHAIN=${FALLBACK_TOOLCHAIN}`);
      await build(FALLBACK_TOOLCHAIN);
    }
  } catch (err) {
    await rm(tmpPath, { force: true });
    const e = err as { code?: string; stderr?: string };
    const detail = e.code === 'ENOENT' ? 'the `go` command was not found on PATH' : String(e.stderr ?? err).slice(-2000);
    throw new ChronicleError('CONFIG', `cannot build the FerretDB launcher: ${detail}`, { cause: err });
  }
  await rename(tmpPath, binPath);
  return { path: binPath, built: true, buildMs: Date.now() - started };
}

export interface FerretDbServer {
  uri: string;
  /** The SQLite folder (SQLite backend only); reuse it to restart a server on the same data. */
  dataDir: string;
  process: ChildProcess;
  /** Stops the server with SIGTERM (SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

interface LauncherOptions {
  /** host:port to listen on; defaults to 127.0.0.1:0 (a free port). */
  listen?: string;
  binaryPath?: string;
  startTimeoutMs?: number;
}

export interface StartFerretDbOptions extends LauncherOptions {
  /** SQLite folder; reuse one to restart a server on the same data. Defaults to a new temp folder. */
  dataDir?: string;
}

export interface StartFerretDbOnPostgresOptions extends LauncherOptions {
  /** Where FerretDB stores its data, e.g. `postgres://postgres@/ferretdb?host=/tmp/x&port=5432`. */
  postgresqlUrl: string;
}

/** Starts a FerretDB (SQLite backend) through the launcher and resolves once it accepts connections. */
export async function startFerretDb(opts: StartFerretDbOptions = {}): Promise<FerretDbServer> {
  const dataDir = resolve(opts.dataDir ?? join(tmpdir(), `chronicle-ferretdb-${process.pid}-${Date.now()}`));
  await mkdir(dataDir, { recursive: true });
  const server = await runLauncher(['-handler', 'sqlite', '-dir', dataDir], opts);
  return { ...server, dataDir };
}

/** Starts a FerretDB on its PostgreSQL backend (see postgresCluster.ts for a server to point it at). */
export async function startFerretDbOnPostgres(opts: StartFerretDbOnPostgresOptions): Promise<Omit<FerretDbServer, 'dataDir'>> {
  return runLauncher(['-handler', 'postgresql', '-postgresql-url', opts.postgresqlUrl], opts);
}

async function runLauncher(backendArgs: string[], opts: LauncherOptions): Promise<Omit<FerretDbServer, 'dataDir'>> {
  const binaryPath = opts.binaryPath ?? (await ensureLauncherBinary()).path;
  // The launcher exits when its stdin closes: if this process dies (even by SIGKILL), so does FerretDB.
  const child = spawn(binaryPath, [...backendArgs, '-listen', opts.listen ?? '127.0.0.1:0', '-exit-on-stdin-eof'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  // Writing nothing; an EPIPE after the launcher exited is not an error of ours.
  child.stdin?.on('error', () => {});

  const uri = await new Promise<string>((resolveUri, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ChronicleError('CONNECTION', `FerretDB did not start within ${opts.startTimeoutMs ?? 30_000} ms: ${stderr}`));
    }, opts.startTimeoutMs ?? 30_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^FERRETDB_URI=(.+)$/.exec(line.trim());
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUri(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new ChronicleError('CONNECTION', `FerretDB exited at start (code ${code}, signal ${signal}): ${stderr}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new ChronicleError('CONNECTION', `cannot start FerretDB: ${err.message}`, { cause: err }));
    });
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return { uri, process: child, stop };
}
