import type { AggregateDefinition, DomainEvent } from '../aggregates/types.js';
import type { Chronicle } from '../chronicle.js';
import { todoListAggregate, userAggregate, type TodoCommand, type UserCommand } from '../domain/index.js';
import { CommandRejectedError } from '../errors.js';

/** What `seedDemo` wrote. */
export interface DemoSeedResult {
  streams: { streamId: string; events: number }[];
  events: number;
  commits: number;
}

/** Events per commit while seeding: a realistic mix of small appends, without thousands of round trips. */
const BATCH = 20;
/** Above this threshold the demo would take long to write; it stays small and simply is not due. */
const MAX_DEMO_EVENTS = 2_000;

function* userCommands(name: string): Generator<UserCommand> {
  const email = (n: number) => `${name.toLowerCase()}${n ? `+${n}` : ''}@example.com`;
  yield { type: 'CreateUser', name, email: email(0) };
  for (let i = 1; ; i++) {
    if (i % 12 === 0) yield { type: 'UpdateUser', email: email(i) };
    else if (i % 17 === 0) yield { type: 'UpdateUser', name: `${name} ${i}` };
    else yield { type: 'SetCookies', cookies: i % 40 };
  }
}

function* todoCommands(items: readonly string[]): Generator<TodoCommand> {
  for (let n = 0; ; n++) {
    const todoId = `t${n}`;
    yield { type: 'CreateTodo', todoId, text: items[n % items.length] ?? 'something' };
    if (n % 3 === 1) yield { type: 'ChangeTodoText', todoId, text: `${items[n % items.length]} (again)` };
    if (n % 2 === 0) yield { type: 'ChangeTodoCompleted', todoId, completed: true };
    if (n % 7 === 6) yield { type: 'ClearDone' };
    if (n % 11 === 10) yield { type: 'DeleteTodo', todoId };
  }
}

/**
 * Decides commands against a locally evolved state and appends the events in batches: the
 * stream holds exactly what the aggregate would have written command by command, at a fraction
 * of the round trips (each `handle` reloads the stream, which FerretDB answers with a scan).
 */
async function seedStream<S, C, E extends DomainEvent>(chronicle: Chronicle, def: AggregateDefinition<S, C, E>, id: string, commands: Iterator<C>, target: number) {
  const streamId = `${def.type}-${id}`;
  let state = def.initialState();
  let version = 0;
  let commits = 0;
  let pending: E[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    await chronicle.events.append(streamId, pending, { expectedVersion: version, streamType: def.type, metadata: { actor: 'demo-seed' } });
    version += pending.length;
    commits += 1;
    pending = [];
  };
  for (let guard = 0; version + pending.length < target && guard < target * 10; guard++) {
    let decided: E[];
    try {
      decided = def.decide(commands.next().value as C, state);
    } catch (err) {
      if (err instanceof CommandRejectedError) continue;
      throw err;
    }
    for (const e of decided) {
      state = def.evolve(state, e);
      pending.push(e);
    }
    if (pending.length >= BATCH) await flush();
  }
  await flush();
  return { streamId, events: version, commits };
}

/**
 * Seeds a small demo: three users and three todo lists. Four streams get more than `threshold`
 * events, so the first snapshot job run writes snapshots; two stay short and show up as skipped.
 */
export async function seedDemo(chronicle: Chronicle, threshold: number): Promise<DemoSeedResult> {
  const due = (extra: number) => Math.min(threshold, MAX_DEMO_EVENTS) + extra;
  const short = Math.max(1, Math.min(12, threshold - 1));
  const results = [
    await seedStream(chronicle, userAggregate, 'alice', userCommands('Alice'), due(15)),
    await seedStream(chronicle, userAggregate, 'bob', userCommands('Bob'), due(3)),
    await seedStream(chronicle, userAggregate, 'carol', userCommands('Carol'), short),
    await seedStream(chronicle, todoListAggregate, 'groceries', todoCommands(['milk', 'bread', 'eggs', 'apples', 'coffee']), due(30)),
    await seedStream(chronicle, todoListAggregate, 'chores', todoCommands(['dishes', 'laundry', 'vacuum', 'plants']), due(5)),
    await seedStream(chronicle, todoListAggregate, 'holiday', todoCommands(['passport', 'tickets', 'sunscreen']), short),
  ];
  return {
    streams: results.map((r) => ({ streamId: r.streamId, events: r.events })),
    events: results.reduce((n, r) => n + r.events, 0),
    commits: results.reduce((n, r) => n + r.commits, 0),
  };
}
