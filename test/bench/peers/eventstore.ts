/**
 * `eventstore` (node-eventstore) with its MongoDB backend, on the same server and workload.
 *
 * Its package tests against the 2.1 driver, which speaks the legacy OP_QUERY protocol; FerretDB
 * (and MongoDB 6.0+) refuse that ("Unsupported OP_QUERY command: find"). Since eventstore 1.13
 * its MongoDB store also drives the 3.x driver (the `MongoClient.length === 2` branch,
 * `useUnifiedTopology`), which speaks OP_MSG. It `require`s "mongodb" by name, which in this
 * package is our 6.x driver, so the bench points that one request, from eventstore's own files
 * only, at the 3.7 driver installed under the alias `mongodb3`.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { todoListAggregate, type TodoCommand, type TodoEvent, type TodoListState } from '../../../src/domain/index.js';

const require = createRequire(import.meta.url);

interface EsEvent {
  payload: TodoEvent;
}
interface EsStream {
  events: EsEvent[];
  addEvents(events: TodoEvent[]): void;
  commit(cb: (err: Error | null) => void): void;
}
interface EsStore {
  init(cb: (err: Error | null) => void): void;
  getEventStream(query: { aggregateId: string; aggregate: string }, cb: (err: Error | null, stream: EsStream) => void): void;
  store: { disconnect(cb: (err?: Error | null) => void): void };
}
type EventstoreFactory = (opts: Record<string, unknown>) => EsStore;

let hooked = false;

/** Makes eventstore's `require('mongodb')` load the 3.x driver; everything else keeps the 6.x one. */
function loadEventstore(): EventstoreFactory {
  if (!hooked) {
    const esDir = dirname(require.resolve('eventstore/package.json'));
    const driver3 = require.resolve('mongodb3');
    const driver3Package = require.resolve('mongodb3/package.json');
    const Module = require('node:module') as { _resolveFilename: (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string };
    const original = Module._resolveFilename;
    Module._resolveFilename = function (request, parent, ...rest) {
      if (parent?.filename?.startsWith(esDir)) {
        if (request === 'mongodb') return driver3;
        if (request === 'mongodb/package.json') return driver3Package;
      }
      return original.call(this, request, parent, ...rest);
    };
    hooked = true;
  }
  return require('eventstore') as EventstoreFactory;
}

export function eventstoreDriverVersion(): string {
  return (require('mongodb3/package.json') as { version: string }).version;
}

export interface EventstorePeer {
  append(id: string, events: TodoEvent[]): Promise<void>;
  handle(id: string, command: TodoCommand): Promise<void>;
  load(id: string): Promise<{ state: TodoListState; version: number }>;
  close(): Promise<void>;
}

const promisify = <T>(fn: (cb: (err: Error | null, value: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

/** Connects eventstore to database `dbName` on the server at `uri` (write concern as Chronicle's). */
export async function createEventstorePeer(uri: string, dbName: string): Promise<EventstorePeer> {
  const eventstore = loadEventstore();
  // The database goes in the URI's path (eventstore reads it from there); hosts and options stay.
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error('cannot place a database name in the server URI');
  const es = eventstore({
    type: 'mongodb',
    url: `${m[1]}/${dbName}${m[2] ?? ''}`,
    options: { writeConcern: { w: 'majority', j: true } },
  });
  await promisify<void>((cb) => es.init((err) => cb(err, undefined)));
  const stream = (id: string) => promisify<EsStream>((cb) => es.getEventStream({ aggregateId: `todos-${id}`, aggregate: 'todos' }, cb));
  const fold = (s: EsStream) => s.events.reduce((state, e) => todoListAggregate.evolve(state, e.payload), todoListAggregate.initialState());
  return {
    async append(id, events) {
      const s = await stream(id);
      s.addEvents(events);
      await promisify<void>((cb) => s.commit((err) => cb(err, undefined)));
    },
    async handle(id, command) {
      const s = await stream(id);
      const events = todoListAggregate.decide(command, fold(s));
      if (events.length === 0) return;
      s.addEvents(events);
      await promisify<void>((cb) => s.commit((err) => cb(err, undefined)));
    },
    async load(id) {
      const s = await stream(id);
      return { state: fold(s), version: s.events.length };
    },
    async close() {
      await promisify<void>((cb) => es.store.disconnect((err) => cb(err ?? null, undefined)));
    },
  };
}
