import { describe, expect, it } from 'vitest';
import { todoSummaryProjection } from '../../../src/domain/projections/todoSummaryProjection.js';
import { todoListAggregate } from '../../../src/domain/todos/todoListAggregate.js';
import { createSequencer } from '../../../src/log/sequencer.js';
import { createProjectionRunner } from '../../../src/projections/projectionRunner.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { foldFromScratch, readModelOf } from '../../support/projectionFold.js';
import { runCli } from '../../support/runCli.js';

const t = useChronicle(import.meta.filename);
const env = () => ({ MONGODB_URI: t.uri, CHRONICLE_DB: t.db.databaseName });

describe('chronicle CLI: projections', () => {
  it('lists each version with state, position and lag; rebuild fills a fresh collection that replaces the live one', async () => {
    const none = await runCli(['projections'], env());
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/no projections yet/);

    const todos = t.chronicle.aggregate(todoListAggregate);
    for (let i = 0; i < 12; i++) await todos.handle(`l${i % 3}`, { type: 'CreateTodo', todoId: `t${i}`, text: 'x' });
    const seq = createSequencer(t.db, { lease: false, batchSize: 50 });
    await seq.drain();
    const runner = createProjectionRunner(t.db, todoSummaryProjection, { lease: false, batchSize: 5, retireGraceMs: 0 });
    await runner.drain();
    await todos.handle('l0', { type: 'ChangeTodoCompleted', todoId: 't0', completed: true });
    await seq.drain();

    const json = await runCli(['projections', '--json'], env());
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'todo_summaries', version: 1, collection: 'todo_summaries_v1', state: 'live', position: 12, head: 13, lag: 1, runner: null, rebuild: null });
    const text = await runCli(['projections'], env());
    expect(text.stdout).toMatch(/todo_summaries@1\s+todo_summaries_v1\s+live\s+12\s+1\s+-/);

    const r = await runCli(['projections', 'rebuild', 'todo_summaries'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('rebuilding todo_summaries@1 into todo_summaries_v1_r2');
    // The fresh collection has the live one's indexes (migration 007's open-count index).
    expect((await t.db.collection('todo_summaries_v1_r2').indexes()).map((i) => i.name)).toContain('open');
    const again = await runCli(['projections', 'rebuild', 'todo_summaries'], env());
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already being rebuilt into todo_summaries_v1_r2/);
    const unknown = await runCli(['projections', 'rebuild', 'nope'], env());
    expect(unknown.stderr).toMatch(/no projection named "nope"/);

    // The runner fills the new collection beside the live one, which readers keep using until the switch.
    const handle = t.chronicle.projection(todoSummaryProjection);
    await runner.runOnce();
    expect((await handle.collection()).collectionName).toBe('todo_summaries_v1');
    await runner.drain();
    expect((await handle.collection()).collectionName).toBe('todo_summaries_v1_r2');
    expect(await readModelOf(t.db, 'todo_summaries_v1_r2')).toEqual(await foldFromScratch(t.db, todoSummaryProjection));
    await runner.runOnce(); // the grace period (0 here) passed: the replaced collection goes
    expect((await t.db.listCollections({ name: 'todo_summaries_v1' }).toArray()).length).toBe(0);
    const after = JSON.parse((await runCli(['projections', '--json'], env())).stdout) as Record<string, unknown>;
    expect(after).toMatchObject({ collection: 'todo_summaries_v1_r2', state: 'live', lag: 0, rebuild: null });
  });
});
