import { randomUUID } from 'node:crypto';
import { MongoClient, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChronicle, type Chronicle } from '../../../src/chronicle.js';
import { migrate } from '../../../src/migrations/migrate.js';
import { startFerretDbOnPostgres } from '../../../src/server/ferretdbLauncher.js';
import { startPostgresCluster, type PostgresCluster } from '../../../src/server/postgresCluster.js';

// Runs its own PostgreSQL cluster and FerretDB whatever server the rest of the suite uses, so it
// checks the PostgreSQL backend on every run; it needs a PostgreSQL server installed and fails
// saying so without one.

const DB = 'explaintest';
const STREAMS = 500;
const COMMITS_PER_STREAM = 10;

let cluster: PostgresCluster;
let ferretdb: Awaited<ReturnType<typeof startFerretDbOnPostgres>>;
let client: MongoClient;
let chronicle: Chronicle;
const sent: Document[] = [];

/** The PostgreSQL plan FerretDB would run for `find`, as FerretDB's explain reports it. */
async function planOf(filter: Document, sort?: Document): Promise<string> {
  const res = await client.db(DB).command({ explain: { find: 'events', filter, ...(sort ? { sort } : {}) } });
  return JSON.stringify(res.queryPlanner);
}

beforeAll(async () => {
  cluster = await startPostgresCluster();
  ferretdb = await startFerretDbOnPostgres({ postgresqlUrl: cluster.url });
  client = await new MongoClient(ferretdb.uri, { monitorCommands: true }).connect();
  client.on('commandStarted', (e) => {
    if (e.commandName === 'find' && e.command.find === 'events') sent.push(e.command.filter as Document);
  });
  const db = client.db(DB);
  await migrate(db);
  // Enough commits that PostgreSQL's planner prefers an index whenever one can serve the filter:
  // filler commits shaped like Chronicle's, and one stream written through Chronicle itself.
  const filler = [];
  for (let s = 0; s < STREAMS; s++) {
    for (let c = 0; c < COMMITS_PER_STREAM; c++) {
      filler.push({
        _id: randomUUID(), streamId: `todos-f${s}`, streamType: 'todos', prev: c, version: c + 1, position: null, recordedAt: new Date(),
        events: [{ id: randomUUID(), type: 'TodoCreated', schemaVersion: 1, version: c + 1, data: { todoId: `t${c}`, text: 'milk', completed: false } }],
      });
    }
  }
  await db.collection<{ _id: string }>('events').insertMany(filler);
  chronicle = createChronicle(db);
  for (let c = 0; c < COMMITS_PER_STREAM; c++) {
    await chronicle.events.append('todos-42', [{ type: 'TodoCreated', data: { todoId: `t${c}`, text: 'milk', completed: false } }], { expectedVersion: c });
  }
}, 120_000);

afterAll(async () => {
  await client?.close();
  await ferretdb?.stop();
  await cluster?.stop();
});

describe('FerretDB on PostgreSQL uses indexes', () => {
  it('adds one GIN index per indexed top-level field of each collection, none for nested fields', async () => {
    const rows = await cluster.psql(
      `SELECT t.relname || ' ' || substring(pg_get_indexdef(i.indexrelid) from '_jsonb -> ''([^'']*)''')
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_am am ON am.oid = ic.relam
        WHERE t.relnamespace = '${DB}'::regnamespace AND am.amname = 'gin' ORDER BY 1;`,
    );
    const events = rows.split('\n').filter((r) => r.startsWith('events_')).map((r) => r.split(' ')[1]);
    // chain and stream_version both start with streamId: still one GIN index for it.
    expect(events).toEqual(['_id', 'position', 'recordedAt', 'streamId', 'streamType']);
    expect(rows).not.toMatch(/^_ferretdb_/m);
  });

  it("a stream read (Chronicle's own query) and an _id lookup are served by GIN indexes, not a sequential scan", async () => {
    sent.length = 0;
    const events = await chronicle.events.read('todos-42');
    expect(events).toHaveLength(COMMITS_PER_STREAM);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ streamId: 'todos-42' });

    for (const plan of [await planOf(sent[0]!, { version: 1 }), await planOf({ streamId: 'todos-f7' })]) {
      expect(plan).toMatch(/"Index Name":"events_[^"]*_streamid_[0-9a-f]{8}_gin"/);
      expect(plan).not.toContain('Seq Scan');
    }
    const commitId = events[0]!.commitId;
    const byId = await planOf({ _id: commitId });
    expect(byId).toMatch(/"Index Name":"events_[^"]*__id_[0-9a-f]{8}_gin"/);
    expect(byId).not.toContain('Seq Scan');
  });

  it('prepared statements keep index plans after many executions (plan_cache_mode = force_custom_plan)', async () => {
    const table = (await cluster.psql(`SELECT _jsonb->>'table' FROM "${DB}"._ferretdb_database_metadata WHERE _jsonb->>'_id' = 'events';`)).trim();
    expect(table).toMatch(/^events_/);
    // FerretDB's statement shape: the key is a parameter too, which a generic plan cannot match to an index.
    const executions = Array.from({ length: 8 }, (_, i) => `EXECUTE q('streamId', '"todos-f${i}"');`).join('\n');
    const out = await cluster.psql(
      `SHOW plan_cache_mode;
       PREPARE q(text, jsonb) AS SELECT _jsonb FROM "${DB}"."${table}" WHERE _jsonb -> $1 @> $2;
       ${executions}
       EXPLAIN (FORMAT JSON) EXECUTE q('streamId', '"todos-f9"');`,
    );
    expect(out.split('\n')[0]).toBe('force_custom_plan');
    const plan = out.slice(out.indexOf('['));
    expect(plan).toMatch(/"Index Name": "events_[^"]*_streamid_[0-9a-f]{8}_gin"/);
    expect(plan).not.toContain('Seq Scan');
  });
});
