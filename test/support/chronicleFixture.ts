import type { CommandStartedEvent, MongoClient } from 'mongodb';
import { beforeAll } from 'vitest';
import { createChronicle, type Chronicle, type ChronicleOptions } from '../../src/chronicle.js';
import { migrate } from '../../src/migrations/migrate.js';
import { useTestDatabase, type TestDatabase } from './testDatabase.js';

export interface ChronicleFixture extends TestDatabase {
  readonly chronicle: Chronicle;
}

/** A migrated per-file database with a Chronicle over it (the test's client is monitored). */
export function useChronicle(file: string, opts: ChronicleOptions = {}): ChronicleFixture {
  const t = useTestDatabase(file, { monitorCommands: true });
  let chronicle: Chronicle | undefined;
  beforeAll(async () => {
    await migrate(t.db);
    chronicle = createChronicle(t.db, opts);
  });
  return {
    get client() {
      return t.client;
    },
    get db() {
      return t.db;
    },
    uri: t.uri,
    get chronicle() {
      if (!chronicle) throw new Error('chronicle used before beforeAll ran');
      return chronicle;
    },
  };
}

const HOUSEKEEPING = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'killCursors', 'buildInfo', 'saslStart', 'saslContinue']);

/**
 * Counts the commands (round trips) `fn` sends, via the driver's command monitoring:
 * deterministic where timings are not.
 */
export async function countRoundTrips<T>(client: MongoClient, fn: () => Promise<T>): Promise<{ result: T; commands: string[] }> {
  const commands: string[] = [];
  const listener = (e: CommandStartedEvent) => {
    if (!HOUSEKEEPING.has(e.commandName)) commands.push(e.commandName);
  };
  client.on('commandStarted', listener);
  try {
    const result = await fn();
    return { result, commands };
  } finally {
    client.off('commandStarted', listener);
  }
}
