import { describe, expect, it, inject } from 'vitest';
import { describeServer } from '../../src/server/embeddedServer.js';
import { useTestDatabase } from '../support/testDatabase.js';

const t = useTestDatabase(import.meta.filename);

describe('test server', () => {
  it('creates and reads a document on whichever server was chosen', async () => {
    const col = t.db.collection<{ _id: string; at: Date; n: number }>('smoke');
    const at = new Date('2026-01-02T03:04:05.678Z');
    await col.insertOne({ _id: 'doc-1', at, n: 42 });
    const read = await col.findOne({ _id: 'doc-1' });
    expect(read).toEqual({ _id: 'doc-1', at, n: 42 });
    expect(read?.at).toBeInstanceOf(Date);
  });

  it('reports its kind and version', async () => {
    const kind = inject('serverKind');
    const info = await describeServer(inject('mongoUri'));
    expect(info.mongodbVersion).toMatch(/^\d+\.\d+/);
    if (kind.startsWith('ferretdb')) expect(info.ferretdbVersion).toBe('v1.24.2');
    if (kind === 'ferretdb-postgresql') expect(info.description).toMatch(/^FerretDB v1\.24\.2 \/ PostgreSQL \d+/);
    if (kind === 'ferretdb-sqlite') expect(info.description).toMatch(/^FerretDB v1\.24\.2 \/ SQLite/);
  });

  it('fails fast with a clear message for an unusable MONGODB_URI', async () => {
    const started = Date.now();
    await expect(describeServer('mongodb://user:s3cret@127.0.0.1:1/x', 1_500)).rejects.toThrow(/cannot reach MongoDB at mongodb:\/\/user:\*\*\*@127\.0\.0\.1:1/);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(describeServer('mongodb://user:s3cret@127.0.0.1:1/x', 1_500)).rejects.not.toThrow(/s3cret/);
  });
});
