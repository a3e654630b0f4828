import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { startPostgresCluster } from '../../../src/server/postgresCluster.js';

// These tests start their own PostgreSQL (whatever server the rest of the suite uses): they need a
// PostgreSQL server installed (Debian: `apt-get install postgresql`), and fail saying so without one.

/** Alive and not a zombie (a killed process may linger as one until init reaps it). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

interface Held {
  postmaster: number;
  watchdog: number;
  ferretdb: number;
  baseDir: string;
  uri: string;
}

describe('throwaway PostgreSQL cluster', () => {
  it('starts in about a second with the GIN trigger and custom plans, and stop() removes it', async () => {
    const started = Date.now();
    const cluster = await startPostgresCluster();
    const setupMs = Date.now() - started;
    try {
      console.log(`[postgres cluster] PostgreSQL ${cluster.install.version} ready in ${setupMs} ms`);
      expect(await cluster.psql('SHOW plan_cache_mode;')).toBe('force_custom_plan\n');
      expect(await cluster.psql("SELECT evtname || ' ' || evtevent FROM pg_event_trigger;")).toBe('chronicle_gin_for_btree ddl_command_end\n');
      expect(await cluster.psql("SELECT current_setting('listen_addresses');")).toBe('127.0.0.1\n');
      expect(cluster.socketDir).toBe(cluster.baseDir);
      // TCP asks for a password and none is set: only this user (and root) can reach the socket folder.
      const tcp = spawnSync(join(cluster.install.binDir, 'psql'), ['-X', '-w', '-h', '127.0.0.1', '-p', String(cluster.port), '-U', 'postgres', '-d', 'ferretdb', '-c', 'SELECT 1'], { encoding: 'utf8' });
      expect(tcp.status).not.toBe(0);
      expect(tcp.stderr).toMatch(/password/);
      // A loaded two-core machine is slower than the goal; what must never come back is initdb per run.
      expect(setupMs).toBeLessThan(10_000);
    } finally {
      await cluster.stop();
    }
    expect(await eventually(() => !existsSync(cluster.baseDir), 10_000)).toBe(true);
  });

  it('a dataDir too long for a unix socket path gets its socket in /tmp; stop() keeps the data and removes that socket folder', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'chronicle-longpath-'));
    await chmod(parent, 0o755); // as root, PostgreSQL runs as the postgres user, who must reach it
    const dataDir = join(parent, 'a-rather-long-folder-name-'.repeat(4));
    try {
      const cluster = await startPostgresCluster({ dataDir });
      try {
        expect(cluster.socketDir.startsWith(tmpdir())).toBe(true);
        await cluster.psql('CREATE TABLE kept (n int); INSERT INTO kept VALUES (7);');
      } finally {
        await cluster.stop();
      }
      expect(await eventually(() => !existsSync(cluster.socketDir), 10_000)).toBe(true);
      const again = await startPostgresCluster({ dataDir });
      try {
        expect(await again.psql('SELECT n FROM kept;')).toBe('7\n');
      } finally {
        await again.stop();
      }
      expect(existsSync(join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it.each(['SIGKILL', 'SIGINT', 'SIGTERM'] as const)('leaves no postgres, FerretDB or folder behind when its parent gets %s', async (signal) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/holdPostgresCluster.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.once('exit', r));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`holdPostgresCluster exited with ${code}`)));
    });
    const held = JSON.parse(line) as Held;
    for (const pid of [held.postmaster, held.watchdog, held.ferretdb]) expect(running(pid)).toBe(true);
    const client = await new MongoClient(held.uri, { serverSelectionTimeoutMS: 5_000 }).connect();
    await client.db('orphans').collection<{ _id: string }>('c').insertOne({ _id: 'x' });
    await client.close();

    child.kill(signal);
    await exited;
    expect(await eventually(() => ![held.postmaster, held.watchdog, held.ferretdb].some(running), 15_000)).toBe(true);
    expect(await eventually(() => !existsSync(held.baseDir), 10_000)).toBe(true);
  });
});
