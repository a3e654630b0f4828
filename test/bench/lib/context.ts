import { randomBytes } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { createChronicle, internals, type Chronicle } from '../../../src/chronicle.js';
import type { EventStoreInternals } from '../../../src/events/eventRepository.js';
import { migrate } from '../../../src/migrations/migrate.js';
import type { Mode, Stats } from './harness.js';

/** One measured figure: a table row and, with `headline`, a `name: value` line. */
export interface Figure {
  section: string;
  name: string;
  stats: Stats;
  unit: string;
  note?: string;
  /** Printed as `<headline>: <median>` after the table and stored in the JSON. */
  headline?: string;
  /** Digits after the point in the headline line. */
  decimals?: number;
}

export interface BenchContext {
  mode: Mode;
  /** 'ferretdb', 'mongodb-memory-server' or 'external'. */
  serverKind: string;
  serverDescription: string;
  uri: string;
  /** The client every timed scenario shares (no command monitoring: it costs time). */
  client: MongoClient;
  /** A client with command monitoring, for round-trip counts only. */
  monitored: MongoClient;
  log(msg: string): void;
  figures: Figure[];
  /** Notes printed under the table (scaled-down sizes, peers' status, server limits). */
  notes: string[];
  /** A fresh database name for one scenario run; `drop` it when done. */
  dbName(tag: string): string;
  /** A migrated database and a Chronicle over it (indexes exactly as in production). */
  freshChronicle(tag: string, client?: MongoClient): Promise<{ db: Db; chronicle: Chronicle; events: EventStoreInternals }>;
  drop(db: Db): Promise<void>;
  isFerretDb: boolean;
}

const runTag = randomBytes(2).toString('hex');
let counter = 0;

export function makeContext(base: Omit<BenchContext, 'figures' | 'notes' | 'dbName' | 'freshChronicle' | 'drop' | 'isFerretDb'>): BenchContext {
  const ctx: BenchContext = {
    ...base,
    figures: [],
    notes: [],
    isFerretDb: base.serverKind === 'ferretdb' || /ferretdb/i.test(base.serverDescription),
    // FerretDB's SQLite backend keeps database names short and simple.
    dbName: (tag) => `bench_${runTag}_${tag.replace(/[^a-zA-Z0-9]/g, '_').slice(0, 24)}_${counter++}`,
    async freshChronicle(tag, client = base.client) {
      const db = client.db(ctx.dbName(tag));
      await db.dropDatabase();
      await migrate(db);
      const chronicle = createChronicle(db);
      const inner = internals.get(chronicle);
      if (!inner) throw new Error('chronicle internals missing');
      return { db, chronicle, events: inner.events };
    },
    async drop(db) {
      await db.dropDatabase().catch(() => {});
    },
  };
  return ctx;
}
