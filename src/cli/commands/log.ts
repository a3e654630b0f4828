import type { Command } from 'commander';
import type { RecordedEvent } from '../../events/types.js';
import { readLease } from '../../leases/lease.js';
import { createServerClock } from '../../leases/serverClock.js';
import { SEQUENCER_LEASE } from '../../log/sequencer.js';
import { withChronicle } from '../context.js';
import { shutdownSignal } from '../shutdown.js';
import { intArg } from '../options.js';
import { formatTable, toJson, writeLine } from '../output.js';

/** One NDJSON line of `tail --json`: the log position first, then what `events --json` prints. */
function eventJson(e: RecordedEvent): string {
  return toJson({ position: e.position, streamId: e.streamId, version: e.version, type: e.type, data: e.data, recordedAt: e.recordedAt, commitId: e.commitId, metadata: e.metadata });
}

function eventText(e: RecordedEvent): string {
  const meta = e.metadata ? Object.entries(e.metadata).map(([k, v]) => `${k}=${String(v)}`) : [];
  return [`#${String(e.position)}`, e.recordedAt.toISOString(), `${e.streamId}@v${e.version}`, e.type, toJson(e.data), `commit=${e.commitId}`, ...meta].join('  ');
}

/**
 * `chronicle log [--json]`: the global log's head, how many commits wait for a position and
 * since when, and who holds the sequencer lease. `chronicle tail [--after N] [--follow] [--json]`:
 * every event of the database in global order; `--follow` keeps printing new ones.
 */
export function registerLogCommands(program: Command): void {
  program
    .command('log')
    .description('global log status: head position, pending (un-numbered) commits, sequencer lease holder')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }, command: Command) => {
      await withChronicle(command, async (chronicle) => {
        const [head, pending, lease, now] = await Promise.all([chronicle.log.head(), chronicle.log.pending(), readLease(chronicle.db, SEQUENCER_LEASE), createServerClock(chronicle.db).sync()]);
        const oldestPendingAgeMs = pending.oldestRecordedAt ? Math.max(0, now.getTime() - pending.oldestRecordedAt.getTime()) : null;
        const sequencer = lease && !lease.expired ? { holder: lease.holder, epoch: lease.epoch, expiresAt: lease.expiresAt } : null;
        if (opts.json) {
          await writeLine(toJson({ head, pending: pending.count, oldestPendingAt: pending.oldestRecordedAt, oldestPendingAgeMs, sequencer }));
          return;
        }
        const rows: (string | number)[][] = [
          ['head', String(head)],
          ['pending', String(pending.count)],
          ['oldest pending', pending.oldestRecordedAt ? `${pending.oldestRecordedAt.toISOString()} (${((oldestPendingAgeMs ?? 0) / 1000).toFixed(1)} s ago)` : '-'],
          ['sequencer', sequencer ? `${sequencer.holder} (epoch ${sequencer.epoch}, lease until ${sequencer.expiresAt.toISOString()})` : 'none running (start one with `chronicle start` or startWorker)'],
        ];
        for (const line of formatTable(['', ''], rows).slice(1)) await writeLine(line);
      });
    });

  program
    .command('tail')
    .description("print the database's events in global log order (NDJSON with --json); --follow keeps going")
    .option('--after <position>', 'only commits after this position (default 0: everything)', intArg(0, Number.MAX_SAFE_INTEGER))
    .option('--follow', 'keep printing new events as they are numbered, until SIGINT/SIGTERM')
    .option('--json', 'one JSON object per line: position, streamId, version, type, data, recordedAt, commitId, metadata')
    .action(async (opts: { after?: number; follow?: boolean; json?: boolean }, command: Command) => {
      await withChronicle(command, async (chronicle, ctx) => {
        const print = (e: RecordedEvent) => writeLine(opts.json ? eventJson(e) : eventText(e));
        if (!opts.follow) {
          for (let after = opts.after ?? 0; ; ) {
            const commits = await chronicle.log.read({ after, limit: 500 });
            if (commits.length === 0) return;
            for (const c of commits) for (const e of c.events) if (!(await print(e))) return;
            after = commits.at(-1)!.position;
          }
        }
        const lease = await readLease(chronicle.db, SEQUENCER_LEASE);
        if (!lease || lease.expired) ctx.logger.warn('no sequencer holds the lease: new commits are not numbered, so nothing new will show until a worker runs (`chronicle start`)');
        const shutdown = shutdownSignal(ctx.logger);
        try {
          for await (const e of chronicle.subscribe({ after: opts.after ?? 0, signal: shutdown.signal })) if (!(await print(e))) return;
        } finally {
          shutdown.dispose();
        }
      });
    });
}
