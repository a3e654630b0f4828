import { createServer } from 'node:net';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli, type CliResult } from '../../support/runCli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Starts `chronicle dev …` and resolves with the URI it prints on stdout. */
async function startDev(args: string[]): Promise<{ child: ChildProcess & { result: Promise<CliResult> }; uri: string }> {
  const child = spawnCli(['dev', ...args]);
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URI printed within 60 s; stdout: ${out}`)), 60_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^MONGODB_URI=(\S+)$/m.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void child.result.then((r) => reject(new Error(`chronicle dev exited early (${r.code}): ${r.stderr}`)));
  });
  return { child, uri };
}

async function stop(child: ChildProcess & { result: Promise<CliResult> }): Promise<CliResult> {
  child.kill('SIGTERM');
  return child.result;
}

describe('chronicle dev', () => {
  it('serves on the chosen port and, with --data, keeps the data across a restart', async () => {
    const port = await freePort();
    const data = mkdtempSync(join(tmpdir(), 'chronicle-dev-'));
    // mkdtemp makes it 0700; run as root, the PostgreSQL backend's server runs as "postgres" and must reach it.
    chmodSync(data, 0o755);
    dirs.push(data);

    const first = await startDev(['--port', String(port), '--data', data]);
    expect(first.uri).toContain(`127.0.0.1:${port}`);
    const client = await new MongoClient(first.uri, { serverSelectionTimeoutMS: 5_000 }).connect();
    await client.db('devtest').collection('notes').insertOne({ _id: 'kept' as never, text: 'still here' });
    await client.close();
    const stopped = await stop(first.child);
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain(`data kept in ${data}`);

    const second = await startDev(['--port', String(port), '--data', data]);
    try {
      const again = await new MongoClient(second.uri, { serverSelectionTimeoutMS: 5_000 }).connect();
      try {
        expect(await again.db('devtest').collection('notes').findOne({ _id: 'kept' as never })).toMatchObject({ text: 'still here' });
      } finally {
        await again.close();
      }
    } finally {
      expect((await stop(second.child)).code).toBe(0);
    }
  });

  it('without --data the data is temporary and removed on exit', async () => {
    const dev = await startDev([]);
    expect(Number(new URL(dev.uri).port)).toBeGreaterThan(0);
    const result = await stop(dev.child);
    expect(result.code).toBe(0);
    const line = result.stderr.split('\n').find((l) => l.includes('temporary data removed'));
    expect(line).toBeDefined();
    const { dataDir } = JSON.parse(line ?? '{}') as { dataDir: string | null };
    // FerretDB keeps its SQLite files in a temporary folder (mongodb-memory-server cleans its own).
    if (dataDir !== null) expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a bad port with exit code 2', async () => {
    const child = spawnCli(['dev', '--port', '70000']);
    const r = await child.result;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port.*between 1 and 65535/s);
  });
});
