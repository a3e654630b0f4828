/**
 * `@event-driven-io/emmett-mongodb` on the same server and workload. Emmett keeps one document
 * per stream (events pushed into a `messages` array); an append is a `findOne` for the stream's
 * position and an `updateOne` with upsert guarded by that position.
 */
import { DeciderCommandHandler } from '@event-driven-io/emmett';
import { getMongoDBEventStore, toStreamName, type MongoDBEventStore } from '@event-driven-io/emmett-mongodb';
import { MongoClient } from 'mongodb';
import { todoListAggregate, type TodoCommand, type TodoEvent, type TodoListState } from '../../../src/domain/index.js';

/** Emmett commands are `{ type, data }`; ours are flat. */
type EmmettTodoCommand = { type: TodoCommand['type']; data: Omit<TodoCommand, 'type'> };

const evolve = (state: TodoListState, event: TodoEvent): TodoListState => todoListAggregate.evolve(state, { type: event.type, data: event.data } as TodoEvent);
const initialState = () => todoListAggregate.initialState();
const decide = (command: EmmettTodoCommand, state: TodoListState): TodoEvent[] => todoListAggregate.decide({ type: command.type, ...command.data } as TodoCommand, state);

const handler = DeciderCommandHandler<TodoListState, EmmettTodoCommand, TodoEvent>({ evolve, initialState, decide });

export interface EmmettPeer {
  store: MongoDBEventStore;
  append(id: string, events: TodoEvent[], expectedVersion: number): Promise<void>;
  handle(id: string, command: TodoCommand): Promise<void>;
  load(id: string): Promise<{ state: TodoListState; version: number }>;
  drop(): Promise<void>;
}

/**
 * A client configured like Chronicle's writes (`w: 'majority', j: true`), so both pay the same
 * durability; emmett takes its write concern from the client.
 */
export async function connectEmmettClient(uri: string): Promise<MongoClient> {
  const client = new MongoClient(uri, { writeConcern: { w: 'majority', journal: true } });
  await client.connect();
  return client;
}

export async function createEmmettPeer(client: MongoClient, databaseName: string): Promise<EmmettPeer> {
  await client.db(databaseName).dropDatabase();
  const store = getMongoDBEventStore({ client, storage: { type: 'COLLECTION_PER_STREAM_TYPE', databaseName } });
  // Creates the collection and its unique { streamName } index now, not inside the first timed call.
  await store.collectionFor('todos');
  const name = (id: string) => toStreamName('todos', id);
  return {
    store,
    async append(id, events, expectedVersion) {
      await store.appendToStream(name(id), events, { expectedStreamVersion: BigInt(expectedVersion) });
    },
    async handle(id, command) {
      const { type, ...data } = command;
      await handler(store, name(id), { type, data } as EmmettTodoCommand);
    },
    async load(id) {
      const r = await store.aggregateStream(name(id), { evolve, initialState });
      return { state: r.state, version: Number(r.currentStreamVersion) };
    },
    async drop() {
      await client.db(databaseName).dropDatabase().catch(() => {});
    },
  };
}
