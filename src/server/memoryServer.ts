import type * as MemoryServerModule from 'mongodb-memory-server';
import { ChronicleError } from '../errors.js';

/** Why mongodb-memory-server can or cannot be used on this machine. */
export interface MemoryServerProbe {
  usable: boolean;
  reason: string;
}

/**
 * Decides quickly whether mongodb-memory-server can start a `mongod`: a binary is
 * already there (MONGOMS_SYSTEM_BINARY, its cache) or its download URL answers a HEAD
 * request within a few seconds. Offline machines fail this in milliseconds, which keeps
 * the fall-back to FerretDB fast instead of waiting on download retries.
 */
export async function probeMemoryServer(timeoutMs = 3_000): Promise<MemoryServerProbe> {
  let core: typeof MemoryServerModule;
  try {
    core = await import('mongodb-memory-server');
  } catch {
    return { usable: false, reason: 'mongodb-memory-server is not installed' };
  }
  try {
    const opts = await core.DryMongoBinary.generateOptions();
    const found = opts.systemBinary || (await core.DryMongoBinary.locateBinary(opts));
    if (found) return { usable: true, reason: `mongod found at ${found}` };
    if (process.env.MONGOMS_DISABLE_DOWNLOAD) return { usable: false, reason: 'no mongod and MONGOMS_DISABLE_DOWNLOAD is set' };
    // Not part of the package's main exports; ask the library for its own URL rather than hard-coding a host.
    const { MongoBinaryDownloadUrl } = await import('mongodb-memory-server-core/lib/util/MongoBinaryDownloadUrl.js');
    const url = await new MongoBinaryDownloadUrl({ platform: opts.platform, arch: opts.arch, version: opts.version, os: opts.os }).getDownloadUrl();
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    if (res.ok) return { usable: true, reason: `mongod ${opts.version} can be downloaded` };
    return { usable: false, reason: `mongod ${opts.version} download answered HTTP ${res.status}` };
  } catch (err) {
    const e = err as { cause?: { code?: string }; name?: string; message?: string };
    return { usable: false, reason: `no mongod binary and it cannot be downloaded (${e.cause?.code ?? e.name ?? e.message})` };
  }
}

export interface MemoryServer {
  uri: string;
  stop(): Promise<void>;
}

/**
 * Starts a one-node MongoMemoryReplSet (so transactions and change streams exist, as in
 * production), on `port` if given; with `dataDir` the data stays there after `stop()`.
 */
export async function startMemoryServer(opts: { port?: number; dataDir?: string } = {}): Promise<MemoryServer> {
  try {
    const { MongoMemoryReplSet } = await import('mongodb-memory-server');
    const instance = { ...(opts.port !== undefined ? { port: opts.port, ip: '127.0.0.1' } : {}), ...(opts.dataDir !== undefined ? { dbPath: opts.dataDir } : {}) };
    const rs = await MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' }, instanceOpts: [instance] });
    await rs.waitUntilRunning();
    return { uri: rs.getUri(), stop: async () => void (await rs.stop({ doCleanup: opts.dataDir === undefined })) };
  } catch (err) {
    throw new ChronicleError('CONNECTION', `mongodb-memory-server failed to start: ${(err as Error).message}`, { cause: err });
  }
}
