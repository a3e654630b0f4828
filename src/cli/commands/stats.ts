import type { Command } from 'commander';
import { createStreamCatalog, type StreamSummary } from '../../events/streamCatalog.js';
import { requireChronicleDatabase, withChronicle } from '../context.js';
import { intArg } from '../options.js';
import { formatTable, writeLine } from '../output.js';
import { knownSchemaVersions } from './streams.js';

interface Totals {
  streams: number;
  commits: number;
  events: number;
  snapshots: number;
  lag: { max: number; mean: number; due: number; withoutSnapshot: number };
}

function totals(streams: StreamSummary[], threshold: number, snapshots: number): Totals {
  const lags = streams.map((s) => s.version - (s.snapshotVersion ?? 0));
  return {
    streams: streams.length,
    commits: streams.reduce((n, s) => n + s.commits, 0),
    // Versions run 1, 2, … without gaps, so a stream's head version is its number of events.
    events: streams.reduce((n, s) => n + s.version, 0),
    snapshots,
    lag: {
      max: lags.reduce((m, l) => Math.max(m, l), 0),
      mean: lags.length === 0 ? 0 : Math.round((lags.reduce((a, b) => a + b, 0) / lags.length) * 10) / 10,
      due: lags.filter((l) => l >= threshold).length,
      withoutSnapshot: streams.filter((s) => s.snapshotVersion === null).length,
    },
  };
}

/**
 * `chronicle stats [--threshold N] [--json]`: counts of streams, commits, events and snapshots,
 * and how far snapshots lag behind (events since each stream's latest snapshot), overall and
 * per stream type. "Due" streams have at least the snapshot threshold of events since.
 */
export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('count streams, commits, events and snapshots, and show how far snapshots lag')
    .option('--threshold <n>', 'lag at which a stream counts as due (default: CHRONICLE_SNAPSHOT_THRESHOLD)', intArg(1, 10_000_000))
    .option('--json', 'print one JSON object')
    .action(async (opts: { threshold?: number; json?: boolean }, command: Command) => {
      await withChronicle(command, async (chronicle, ctx) => {
        await requireChronicleDatabase(chronicle, ctx);
        const threshold = opts.threshold ?? ctx.config.snapshotThreshold;
        const { streams, snapshots } = await createStreamCatalog(chronicle.db).listStreams({ schemaVersions: knownSchemaVersions() });
        const types = [...new Set(streams.map((s) => s.streamType))].sort();
        const byType = Object.fromEntries(
          types.map((t) => {
            const of = streams.filter((s) => s.streamType === t);
            return [t, totals(of, threshold, of.reduce((n, s) => n + s.snapshots, 0))];
          }),
        );
        const all = totals(streams, threshold, snapshots);
        if (opts.json) {
          await writeLine(JSON.stringify({ ...all, threshold, byType }));
          return;
        }
        await writeLine(`streams    ${all.streams}\ncommits    ${all.commits}\nevents     ${all.events}\nsnapshots  ${all.snapshots}`);
        await writeLine(
          `snapshot lag (events since the latest snapshot): max ${all.lag.max}, mean ${all.lag.mean}; ${all.lag.due} stream(s) due (lag >= ${threshold}), ${all.lag.withoutSnapshot} without a snapshot`,
        );
        if (types.length === 0) return;
        const rows = types.map((t) => {
          const s = byType[t] as Totals;
          return [t, s.streams, s.commits, s.events, s.snapshots, s.lag.max, s.lag.due];
        });
        await writeLine('');
        for (const line of formatTable(['TYPE', 'STREAMS', 'COMMITS', 'EVENTS', 'SNAPSHOTS', 'MAX LAG', 'DUE'], rows)) await writeLine(line);
      });
    });
}
