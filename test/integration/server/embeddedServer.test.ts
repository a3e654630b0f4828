import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '../../../src/server/embeddedServer.js';

// Starts its own FerretDB servers (whatever server the rest of the suite uses). The PostgreSQL case
// needs a PostgreSQL server installed and fails saying so without one.

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('embedded server', () => {
  it.each(['postgresql', 'sqlite'] as const)('on %s: listens on the given port, keeps dataDir after stop and finds the data on restart', async (backend) => {
    const dataDir = await mkdtemp(join(tmpdir(), `chronicle-embedded-${backend}-`));
    await chmod(dataDir, 0o755); // as root, PostgreSQL runs as the postgres user, who must reach it
    try {
      const port = await freePort();
      const first = await startEmbeddedServer({ backend, port, dataDir });
      try {
        expect(first.kind).toBe(`ferretdb-${backend}`);
        expect(first.info.description).toMatch(backend === 'postgresql' ? /^FerretDB v1\.24\.2 \/ PostgreSQL \d+\.\d+ \(/ : /^FerretDB v1\.24\.2 \/ SQLite/);
        expect(first.uri).toContain(`127.0.0.1:${port}`);
        expect(first.dataDir).toBe(dataDir);
        const client = await new MongoClient(first.uri).connect();
        await client.db('kept').collection<{ _id: string; n: number }>('docs').insertOne({ _id: 'a', n: 1 });
        await client.close();
      } finally {
        await first.stop();
      }
      expect(existsSync(join(dataDir, backend))).toBe(true);

      const second = await startEmbeddedServer({ backend, dataDir });
      try {
        const client = await new MongoClient(second.uri).connect();
        expect(await client.db('kept').collection<{ _id: string; n: number }>('docs').findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 1 });
        await client.close();
      } finally {
        await second.stop();
      }
      expect(existsSync(join(dataDir, backend))).toBe(true);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('CHRONICLE_TEST_BACKEND picks the backend and rejects an unknown one by name', async () => {
    process.env.CHRONICLE_TEST_BACKEND = 'sqlite';
    const server = await startEmbeddedServer();
    try {
      expect(server.kind).toBe('ferretdb-sqlite');
      expect(server.dataDir).toBeUndefined();
    } finally {
      await server.stop();
    }
    process.env.CHRONICLE_TEST_BACKEND = 'mysql';
    await expect(startEmbeddedServer()).rejects.toThrow(/CHRONICLE_TEST_BACKEND must be "postgresql" or "sqlite", got "mysql"/);
  });
});
