import type { Command } from 'commander';
import { createStreamCatalog } from '../../events/streamCatalog.js';
import { cliAggregates, requireChronicleDatabase, withChronicle } from '../context.js';
import { streamTypeArg } from '../options.js';
import { formatTable, writeLine } from '../output.js';

/** Current state shape per stream type the CLI knows, so older snapshots do not count. */
export const knownSchemaVersions = (): Record<string, number> => Object.fromEntries(cliAggregates().map((d) => [d.type, d.schemaVersion]));

/**
 * `chronicle streams [--type T] [--json]`: every stream with its head version, its latest
 * snapshot version (for the aggregate's current schemaVersion) and the lag between them.
 */
export function registerStreamsCommand(program: Command): void {
  program
    .command('streams')
    .description('list streams with their version, latest snapshot version and lag')
    .option('--type <streamType>', 'only streams of this type, e.g. user or todos', streamTypeArg)
    .option('--json', 'one JSON object per line')
    .action(async (opts: { type?: string; json?: boolean }, command: Command) => {
      await withChronicle(command, async (chronicle, ctx) => {
        await requireChronicleDatabase(chronicle, ctx);
        const catalog = createStreamCatalog(chronicle.db);
        const { streams } = await catalog.listStreams({ ...(opts.type ? { streamType: opts.type } : {}), schemaVersions: knownSchemaVersions() });
        if (opts.json) {
          for (const s of streams) await writeLine(JSON.stringify({ ...s, lag: s.version - (s.snapshotVersion ?? 0) }));
          return;
        }
        const rows = streams.map((s) => [s.streamId, s.streamType, s.version, s.snapshotVersion ?? '-', s.version - (s.snapshotVersion ?? 0)]);
        for (const line of formatTable(['STREAM', 'TYPE', 'VERSION', 'SNAPSHOT', 'LAG'], rows)) await writeLine(line);
      });
    });
}
