import { Option, type Command } from 'commander';
import type { Chronicle } from '../../chronicle.js';
import { MigrationError } from '../../errors.js';
import { runSnapshotJob, type SnapshotJobOptions, type SnapshotJobReport } from '../../jobs/runSnapshotJob.js';
import { createSnapshotScheduler } from '../../jobs/scheduler.js';
import { pendingMigrations } from '../../migrations/pending.js';
import { cliAggregates, projectSummary, withChronicle, type CliContext } from '../context.js';
import { intArg, scheduleArg } from '../options.js';
import { progressBar, writeLine } from '../output.js';
import { shutdownSignal } from '../shutdown.js';

/** How long a stopping scheduler waits for its in-flight run. */
export const STOP_TIMEOUT_MS = 10_000;

/** Options shared by `snapshot run` and `start`. */
export interface JobFlags {
  cron?: string;
  threshold?: number;
  concurrency?: number;
  keep?: number;
}

/** Adds --cron, --threshold, --concurrency and --keep to a command. */
export function addJobOptions(command: Command): Command {
  return command
    .addOption(new Option('--cron <schedule>', 'cron expression or interval such as 30s (default: CHRONICLE_SNAPSHOT_SCHEDULE)').argParser(scheduleArg))
    .option('--threshold <n>', 'events since the latest snapshot that make a stream due (default: CHRONICLE_SNAPSHOT_THRESHOLD)', intArg(1, 10_000_000))
    .option('--concurrency <n>', 'streams snapshotted at once (default: CHRONICLE_SNAPSHOT_CONCURRENCY)', intArg(1, 256))
    .option('--keep <n>', 'snapshots kept per stream (default: CHRONICLE_SNAPSHOT_KEEP)', intArg(1, 1000));
}

/** The job options from flags, falling back to the configuration. */
export function jobOptions(ctx: CliContext, flags: JobFlags): Omit<SnapshotJobOptions, 'signal'> {
  return {
    aggregates: cliAggregates(),
    threshold: flags.threshold ?? ctx.config.snapshotThreshold,
    concurrency: flags.concurrency ?? ctx.config.snapshotConcurrency,
    keep: flags.keep ?? ctx.config.snapshotKeep,
    logger: ctx.logger,
  };
}

/** Refuses to run the job on a database whose collections or indexes are missing. */
export async function requireMigrated(chronicle: Chronicle): Promise<void> {
  const pending = await pendingMigrations(chronicle.db);
  if (pending.length > 0) throw new MigrationError(`the database is not migrated (pending: ${pending.join(', ')}); run \`chronicle migrate\` first`);
}

/**
 * Runs the job on `schedule` until `signal` aborts, then stops the scheduler (aborting an
 * in-flight run within STOP_TIMEOUT_MS). `runAtStart` runs once at once, `full` making that
 * first run a full rescan.
 */
export async function runScheduled(
  chronicle: Chronicle,
  ctx: CliContext,
  o: { schedule: string; job: Omit<SnapshotJobOptions, 'signal'>; signal: AbortSignal; runAtStart: boolean; full?: boolean },
): Promise<void> {
  const scheduler = createSnapshotScheduler(chronicle, { schedule: o.schedule, job: o.job, logger: ctx.logger });
  const stopped = new Promise<void>((resolve) => {
    const stop = () => void scheduler.stop({ timeoutMs: STOP_TIMEOUT_MS }).then(resolve);
    if (o.signal.aborted) stop();
    else o.signal.addEventListener('abort', stop, { once: true });
  });
  if (o.runAtStart && !o.signal.aborted) await scheduler.runNow(o.full ? { full: true } : {});
  if (!o.signal.aborted) ctx.logger.info({ schedule: o.schedule, nextRun: scheduler.nextRun() }, 'snapshot job scheduled; Ctrl+C (SIGINT) or SIGTERM stops it');
  await stopped;
  ctx.logger.info('snapshot scheduler stopped');
}

function summary(r: SnapshotJobReport): string {
  return `snapshot job: ${r.streamsScanned} stream(s) scanned, ${r.snapshotsWritten} snapshot(s) written, ${r.skipped} skipped, ${r.failed.length} failed (${r.durationMs} ms)`;
}

/**
 * `chronicle snapshot run [--once] [--cron EXPR] [--threshold N] [--concurrency N] [--keep N]
 * [--full] [--json]`: runs the snapshot job once (exit 1 when a stream failed; for Kubernetes
 * CronJobs or system cron) or on a schedule until SIGINT/SIGTERM.
 */
export function registerSnapshotCommand(program: Command): void {
  const snapshot = program.command('snapshot').description('snapshot jobs');
  const run = snapshot
    .command('run')
    .description('write snapshots for streams with enough new events, once or on a schedule')
    .addOption(new Option('--once', 'run one job and exit; exit code 1 when any stream failed').conflicts('cron'));
  addJobOptions(run)
    .option('--full', 'ignore the checkpoint and examine every stream (e.g. after a schemaVersion bump); scheduled: the first run only')
    .option('--json', 'with --once: print the report as JSON on stdout')
    .action(async (opts: JobFlags & { once?: boolean; full?: boolean; json?: boolean }, command: Command) => {
      await withChronicle(command, async (chronicle, ctx) => {
        await requireMigrated(chronicle);
        const job = jobOptions(ctx, opts);
        ctx.logger.info(projectSummary(), 'snapshot job aggregates');
        const shutdown = shutdownSignal(ctx.logger);
        try {
          if (!opts.once) {
            await runScheduled(chronicle, ctx, { schedule: opts.cron ?? ctx.config.snapshotSchedule, job, signal: shutdown.signal, runAtStart: opts.full === true, full: opts.full });
            return;
          }
          const bar = progressBar('snapshots');
          let report: SnapshotJobReport;
          try {
            report = await runSnapshotJob(chronicle, { ...job, full: opts.full ?? false, signal: shutdown.signal, onProgress: (p) => bar.update(p) });
          } finally {
            bar.stop();
          }
          ctx.logger.info({ ...report, failed: report.failed.length }, 'snapshot job finished');
          if (opts.json) await writeLine(JSON.stringify(report));
          else {
            await writeLine(summary(report));
            for (const f of report.failed) await writeLine(`failed  ${f.streamId}  ${f.error}`);
          }
          if (report.failed.length > 0) process.exitCode = 1;
        } finally {
          shutdown.dispose();
        }
      });
    });
}
