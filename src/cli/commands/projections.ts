import type { Command } from 'commander';
import { listProjections, rebuildProjection } from '../../projections/projectionAdmin.js';
import { withChronicle } from '../context.js';
import { formatTable, toJson, writeLine } from '../output.js';

/**
 * `chronicle projections [--json]`: every projection version with its collection, state,
 * position, lag and runner. `chronicle projections rebuild <name>`: rebuild the newest version
 * of a projection from position 1 beside the live collection (the worker does the work).
 */
export function registerProjectionsCommand(program: Command): void {
  const projections = program
    .command('projections')
    .description('projection status: version, collection, state, position, lag, runner')
    .option('--json', 'print one JSON object per projection version')
    .action(async (opts: { json?: boolean }, command: Command) => {
      await withChronicle(command, async (chronicle) => {
        const list = await listProjections(chronicle.db);
        if (opts.json) {
          for (const p of list) if (!(await writeLine(toJson(p)))) return;
          return;
        }
        if (list.length === 0) {
          await writeLine('no projections yet (a worker with `projections` creates them: startWorker or `chronicle start`)');
          return;
        }
        const rows = list.map((p) => [
          `${p.name}@${p.version}`,
          p.collection,
          p.state,
          String(p.position),
          String(p.lag),
          p.runner ?? '-',
          p.rebuild ? `rebuilding into ${p.rebuild.collection} (at ${p.rebuild.position})` : p.error ? p.error.message : '',
        ]);
        for (const line of formatTable(['projection', 'collection', 'state', 'position', 'lag', 'runner', 'note'], rows)) await writeLine(line);
      });
    });

  projections
    .command('rebuild <name>')
    .description('rebuild the newest version of a projection from position 1 into a fresh collection; the live one serves reads until it is replaced')
    .action(async (name: string, _opts: unknown, command: Command) => {
      await withChronicle(command, async (chronicle, ctx) => {
        const r = await rebuildProjection(chronicle.db, name);
        ctx.logger.info({ projection: r.id, collection: r.collection }, `rebuild of ${r.id} requested: its runner fills ${r.collection} and switches to it once it caught up`);
        await writeLine(`rebuilding ${r.id} into ${r.collection}`);
      });
    });
}
