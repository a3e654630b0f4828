import { Cron } from 'croner';
import type { Chronicle } from '../chronicle.js';
import { parseInterval } from '../config.js';
import { AbortedError, ConfigError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { runSnapshotJob, type SnapshotJobOptions, type SnapshotJobReport } from './runSnapshotJob.js';

/** Options of `createSnapshotScheduler`. */
export interface SnapshotSchedulerOptions {
  /** A cron expression (croner syntax, 5 or 6 fields) or an interval such as `30s`, `5m`, `1h`, `500ms`. */
  schedule: string;
  /** Passed to every run; the scheduler supplies the `signal`. */
  job: Omit<SnapshotJobOptions, 'signal'>;
  logger?: Logger;
  /** Called after each completed run (not after a failed or aborted one). */
  onReport?: (report: SnapshotJobReport) => void;
}

/** A running schedule of snapshot jobs; see `createSnapshotScheduler`. */
export interface SnapshotScheduler {
  readonly schedule: string;
  /** True while a run is in flight. */
  readonly running: boolean;
  /** When the next tick is due, or null once stopped. */
  nextRun(): Date | null;
  /**
   * Runs the job now, outside the schedule (`full` for this run only). Returns null (and runs
   * nothing) when a run is already in flight or the scheduler is stopped; a failed or aborted
   * run is logged and also yields null.
   */
  runNow(opts?: { full?: boolean }): Promise<SnapshotJobReport | null>;
  /**
   * Stops ticking, aborts an in-flight run (its in-flight streams finish) and waits for it to
   * settle, at most `timeoutMs` (default 10 000). Safe to call more than once.
   */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
}

/** Checks a schedule string; returns the interval in ms, or null for a valid cron expression. */
export function parseSchedule(schedule: string): number | null {
  const ms = parseInterval(schedule);
  if (ms !== null) {
    if (ms < 1) throw new ConfigError(`schedule "${schedule}": an interval must be longer than 0`);
    return ms;
  }
  try {
    new Cron(schedule.trim(), { paused: true }).stop();
  } catch (err) {
    throw new ConfigError(`schedule "${schedule}" is neither an interval like 30s, 5m, 1h nor a valid cron expression: ${(err as Error).message}`, { cause: err });
  }
  return null;
}

/**
 * Runs `runSnapshotJob` on a cron expression or a fixed interval, starting at once (the first
 * tick comes after one interval, or at the next cron time; call `runNow()` for an immediate run).
 *
 * Never overlaps itself: a tick that comes while a run is in flight is skipped and logged, so a
 * slow run stretches the schedule instead of piling runs up. Each report is logged at info
 * (warn when streams failed). Signal handling is left to the caller (the CLI maps SIGINT and
 * SIGTERM to `stop()`).
 *
 * Cron expressions go through croner; intervals use a plain timer, because croner's finest
 * step is one second and it anchors to the wall clock, while `500ms` or `90s` mean "this long
 * between ticks".
 * @throws ConfigError for a schedule that is neither.
 */
export function createSnapshotScheduler(chronicle: Chronicle, opts: SnapshotSchedulerOptions): SnapshotScheduler {
  const logger = opts.logger ?? opts.job.logger ?? silentLogger;
  const intervalMs = parseSchedule(opts.schedule);
  let current: { promise: Promise<SnapshotJobReport | null>; controller: AbortController } | null = null;
  let stopped = false;
  let runs = 0;
  let nextIntervalTick: number | null = null;

  function start(trigger: 'schedule' | 'manual', overrides: { full?: boolean } = {}): Promise<SnapshotJobReport | null> {
    if (stopped) return Promise.resolve(null);
    if (current) {
      logger.info({ trigger }, 'snapshot job still running; skipping this tick');
      return Promise.resolve(null);
    }
    const controller = new AbortController();
    const run = ++runs;
    logger.info({ run, trigger }, 'snapshot job started');
    const promise = runSnapshotJob(chronicle, { ...opts.job, ...overrides, logger: opts.job.logger ?? logger, signal: controller.signal }).then(
      (report) => {
        const summary = { run, ...report, failed: report.failed.length, failedStreams: report.failed.slice(0, 10) };
        if (report.failed.length > 0) logger.warn(summary, 'snapshot job finished with failed streams');
        else logger.info(summary, 'snapshot job finished');
        opts.onReport?.(report);
        return report;
      },
      (err: Error) => {
        if (err instanceof AbortedError) logger.warn({ run, error: err.message }, 'snapshot job aborted');
        else logger.error({ run, error: err.message, code: (err as { code?: unknown }).code }, 'snapshot job failed');
        return null;
      },
    );
    current = { promise, controller };
    void promise.finally(() => {
      if (current?.promise === promise) current = null;
    });
    return promise;
  }

  let cron: Cron | null = null;
  let timer: NodeJS.Timeout | null = null;
  if (intervalMs === null) {
    // No croner `protect`: start() skips a tick itself, and logs it, while a run is in flight.
    cron = new Cron(opts.schedule.trim(), { catch: true }, () => {
      void start('schedule');
    });
  } else {
    nextIntervalTick = Date.now() + intervalMs;
    timer = setInterval(() => {
      nextIntervalTick = Date.now() + intervalMs;
      void start('schedule');
    }, intervalMs);
  }

  return {
    schedule: opts.schedule,
    get running() {
      return current !== null;
    },
    nextRun() {
      if (stopped) return null;
      return cron ? cron.nextRun() : nextIntervalTick === null ? null : new Date(nextIntervalTick);
    },
    runNow: (o) => start('manual', o),
    async stop(stopOpts = {}) {
      stopped = true;
      cron?.stop();
      if (timer) clearInterval(timer);
      const inFlight = current;
      if (!inFlight) return;
      inFlight.controller.abort(new AbortedError('the scheduler is stopping'));
      const timeoutMs = stopOpts.timeoutMs ?? 10_000;
      let timeout: NodeJS.Timeout | undefined;
      const gaveUp = await Promise.race([
        inFlight.promise.then(() => false),
        new Promise<boolean>((r) => (timeout = setTimeout(() => r(true), timeoutMs))),
      ]);
      clearTimeout(timeout);
      if (gaveUp) logger.warn({ timeoutMs }, 'stopped waiting for the in-flight snapshot job; its last streams may still be saving');
    },
  };
}
