import type { Command } from 'commander';
import type { RecordedEvent } from '../../events/types.js';
import { requireChronicleDatabase, withChronicle } from '../context.js';
import { intArg, streamIdArg } from '../options.js';
import { toJson, writeLine } from '../output.js';

/** One NDJSON line: the fields people grep and jq for, in a fixed order. */
function eventJson(e: RecordedEvent): string {
  return toJson({ streamId: e.streamId, version: e.version, type: e.type, data: e.data, recordedAt: e.recordedAt, commitId: e.commitId, metadata: e.metadata });
}

function eventText(e: RecordedEvent): string {
  const meta = e.metadata ? Object.entries(e.metadata).map(([k, v]) => `${k}=${String(v)}`) : [];
  return [`v${e.version}`, e.recordedAt.toISOString(), e.type, toJson(e.data), `commit=${e.commitId}`, ...meta].join('  ');
}

/**
 * `chronicle events <streamId> [--after N] [--json]`: the stream's history in version order,
 * one event per line, streamed rather than loaded whole. `--json` prints NDJSON with streamId,
 * version, type, data, recordedAt, commitId and metadata.
 */
export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description("print a stream's events in order (human-readable, or NDJSON with --json)")
    .argument('<streamId>', 'the stream, e.g. todos-groceries', streamIdArg)
    .option('--after <version>', 'only events after this version', intArg(0, Number.MAX_SAFE_INTEGER))
    .option('--json', 'one JSON object per line: streamId, version, type, data, recordedAt, commitId, metadata')
    .action(async (streamId: string, opts: { after?: number; json?: boolean }, command: Command) => {
      await withChronicle(command, async (chronicle, ctx) => {
        await requireChronicleDatabase(chronicle, ctx);
        let count = 0;
        for await (const e of chronicle.events.stream(streamId, { afterVersion: opts.after ?? 0 })) {
          count += 1;
          if (!(await writeLine(opts.json ? eventJson(e) : eventText(e)))) break;
        }
        if (count === 0) ctx.logger.warn({ streamId, after: opts.after ?? 0 }, 'no events: the stream does not exist or has nothing after that version');
      });
    });
}
