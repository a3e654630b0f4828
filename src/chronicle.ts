import { MongoClient, type Db, type WriteConcernSettings } from 'mongodb';
import { AggregateRepository, type AggregateRepositoryOptions } from './aggregates/aggregateRepository.js';
import type { AggregateDefinition, DomainEvent } from './aggregates/types.js';
import { ConfigError, ConnectionError, redactUri } from './errors.js';
import { EventRepository, eventStoreInternals, type EventStoreInternals } from './events/eventRepository.js';
import type { RecordedEvent } from './events/types.js';
import { silentLogger, type Logger } from './logger.js';
import { migrate, type MigrateResult } from './migrations/migrate.js';
import { createGlobalLog } from './log/globalLog.js';
import { subscribeToLog, type SubscribeOptions } from './log/subscribe.js';
import type { GlobalLog } from './log/types.js';
import { createProjectionHandle } from './projections/projectionHandle.js';
import type { ProjectionDefinition, ProjectionDocument, ProjectionHandle } from './projections/types.js';
import { SnapshotRepository } from './snapshots/snapshotRepository.js';

export interface ChronicleOptions {
  logger?: Logger;
  /** Write concern of appends and snapshot saves; default `{ w: 'majority', j: true }`. */
  writeConcern?: WriteConcernSettings;
  /** Snapshots kept per stream (default 3). */
  snapshotKeep?: number;
  /** Defaults for every `aggregate(...)` repository. */
  aggregates?: AggregateRepositoryOptions;
}

/** Chronicle's entry point: repositories over one database. */
export interface Chronicle {
  readonly db: Db;
  /** The event store, an `EventRepository` over `db`. */
  readonly events: EventRepository;
  /** The snapshot store, a `SnapshotRepository` over `db`. */
  readonly snapshots: SnapshotRepository;
  /** The global log: every commit in one gap-free order, numbered by the sequencer (`startWorker`). */
  readonly log: GlobalLog;
  /**
   * Follows the global log from `after` (a position, `'start'` or `'end'`), then live: each
   * position once, in order. See `SubscribeOptions`; aborting `signal` ends the iteration.
   */
  subscribe(opts?: SubscribeOptions): AsyncIterable<RecordedEvent>;
  /**
   * The read side of a projection: its live collection, its status, and `waitFor(commitId)`
   * (read your writes). The worker (`startWorker`) keeps it up to date.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  projection<TDoc extends ProjectionDocument>(definition: ProjectionDefinition<TDoc, any>): ProjectionHandle<TDoc>;
  /** Creates the collections and indexes (idempotent; safe with several processes). */
  migrate(): Promise<MigrateResult>;
  /** A new `AggregateRepository` that loads and commands aggregates of `definition` over `events` and `snapshots`. */
  aggregate<TState, TCommand, TEvent extends DomainEvent>(
    definition: AggregateDefinition<TState, TCommand, TEvent>,
    opts?: AggregateRepositoryOptions,
  ): AggregateRepository<TState, TCommand, TEvent>;
  /** Closes the MongoClient if `connect` created it; a client you passed in stays yours. */
  close(): Promise<void>;
}

/** Internal access for the snapshot job and the CLI; not part of the package's exports. */
export const internals = new WeakMap<Chronicle, { events: EventStoreInternals; logger: Logger; snapshotKeep: number }>();

/**
 * Builds a Chronicle over a `Db` of your own `MongoClient`: the facade that wires one
 * `EventRepository` and one `SnapshotRepository` (and an `AggregateRepository` per `aggregate`
 * call), which a DI container may also build by class. `close()` will not close that client:
 * whoever creates the client closes it.
 */
export function createChronicle(db: Db, opts: ChronicleOptions = {}, ownedClient?: MongoClient): Chronicle {
  const logger = opts.logger ?? silentLogger;
  const snapshotKeep = opts.snapshotKeep ?? 3;
  const events = new EventRepository(db, { logger, ...(opts.writeConcern ? { writeConcern: opts.writeConcern } : {}) });
  const snapshots = new SnapshotRepository(db, { logger, keep: snapshotKeep, ...(opts.writeConcern ? { writeConcern: opts.writeConcern } : {}) });
  const chronicle: Chronicle = {
    db,
    events,
    snapshots,
    log: createGlobalLog(db),
    subscribe: (subOpts) => subscribeToLog(db, subOpts),
    projection: (definition) => createProjectionHandle(db, definition),
    migrate: () => migrate(db, { log: (msg) => logger.info(msg) }),
    aggregate: (definition, aggOpts) => new AggregateRepository(definition, events, snapshots, { logger, ...opts.aggregates, ...aggOpts }),
    close: async () => {
      await ownedClient?.close();
    },
  };
  internals.set(chronicle, { events: eventStoreInternals(events), logger, snapshotKeep });
  return chronicle;
}

export interface ConnectOptions extends ChronicleOptions {
  /** Defaults to the MONGODB_URI environment variable. */
  uri?: string;
  /** Defaults to CHRONICLE_DB, else `chronicle`. */
  dbName?: string;
  /** How long to look for a server before failing (default 10 s). */
  serverSelectionTimeoutMS?: number;
}

/** Connects to MongoDB and returns a Chronicle that owns (and closes) its client. */
export async function connect(opts: ConnectOptions = {}): Promise<Chronicle> {
  const uri = opts.uri ?? process.env.MONGODB_URI;
  if (!uri) throw new ConfigError('no MongoDB URI: pass { uri } to connect() or set MONGODB_URI');
  const dbName = opts.dbName ?? process.env.CHRONICLE_DB ?? 'chronicle';
  let client: MongoClient;
  try {
    client = new MongoClient(uri, { serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 10_000 });
    await client.connect();
  } catch (err) {
    throw new ConnectionError(`cannot connect to MongoDB at ${redactUri(uri)}: ${(err as Error).message.replace(uri, redactUri(uri))}`, { cause: err });
  }
  return createChronicle(client.db(dbName), opts, client);
}
