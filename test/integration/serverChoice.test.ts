import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import setup from '../support/globalSetup.js';
import { startEmbeddedServer } from '../../src/server/embeddedServer.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('test-server choice', () => {
  it('an unusable MONGODB_URI fails fast, names the three ways to get a server, and hides the password', async () => {
    process.env.MONGODB_URI = 'mongodb://ops:t0psecret@127.0.0.1:1/?serverSelectionTimeoutMS=1000';
    const provided: Record<string, unknown> = {};
    const project = { provide: (k: string, v: unknown) => (provided[k] = v) } as unknown as TestProject;
    const started = Date.now();
    const err = (await setup(project).catch((e: unknown) => e)) as Error;
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(err.message).toMatch(/MONGODB_URI is set but unusable: cannot reach MongoDB at mongodb:\/\/ops:\*\*\*@127\.0\.0\.1:1/);
    expect(err.message).toMatch(/1\. set MONGODB_URI[\s\S]*2\. let mongodb-memory-server[\s\S]*3\. install Go/);
    expect(err.message).not.toContain('t0psecret');
    expect(provided).toEqual({});
  });

  it('with no mongod and no Go, fails with a message naming the three ways', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'chronicle-nocache-'));
    try {
      delete process.env.MONGODB_URI;
      process.env.CHRONICLE_CACHE_DIR = cache; // nothing cached: the launcher would have to be built
      process.env.PATH = '/nonexistent'; // …and there is no `go` to build it
      process.env.MONGOMS_DISABLE_DOWNLOAD = '1';
      process.env.MONGOMS_DOWNLOAD_DIR = cache; // no cached mongod either
      const started = Date.now();
      const err = (await startEmbeddedServer().catch((e: unknown) => e)) as Error;
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(err.message).toMatch(/no test server available/);
      expect(err.message).toMatch(/`go` command was not found/);
      expect(err.message).toMatch(/1\. set MONGODB_URI[\s\S]*2\. let mongodb-memory-server[\s\S]*3\. install Go/);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
});
