import { internals, type Chronicle } from '../chronicle.js';
import type { SnapshotJobOptions, SnapshotJobReport } from '../jobs/runSnapshotJob.js';
import { createSnapshotScheduler, type SnapshotScheduler } from '../jobs/scheduler.js';
import { acquireLease } from '../leases/lease.js';
import { silentLogger, type Logger } from '../logger.js';
import { createSequencer, type Sequencer, type SequencerOptions, type SequencerStatus } from '../log/sequencer.js';
import type { ProjectionRunnerStatus } from '../projections/projectionRunner.js';
import { startProjections, type ProjectionsOptions } from '../projections/startProjections.js';
import type { AnyProjectionDefinition } from '../projections/types.js';

/** The scheduled snapshot job run by a worker. */
export interface WorkerSnapshotOptions {
  /** Cron expression or interval (`30s`, `5m`), as for `createSnapshotScheduler`. */
  schedule: string;
  job: Omit<SnapshotJobOptions, 'signal'>;
  /** Run once as soon as this worker holds the job's lease (default true). */
  runAtStart?: boolean;
  /** TTL of the `snapshot-job` lease (default 30 s). */
  leaseTtlMs?: number;
}

/** Options of `startWorker`. */
export interface WorkerOptions {
  /** Run the sequencer (default true); options pass through to `createSequencer`. */
  sequencer?: boolean | Omit<SequencerOptions, 'logger'>;
  /** Projections to keep up to date: one leased runner per definition (see `startProjections`). */
  projections?: readonly AnyProjectionDefinition[];
  /** Options of every projection runner (batch size, polling, keeping old versions). */
  projectionOptions?: Omit<ProjectionsOptions, 'logger'>;
  /** Run the snapshot job on a schedule, under its lease; omitted or false: no job. */
  snapshots?: false | WorkerSnapshotOptions;
  logger?: Logger;
}

/** What a worker is doing, part by part; `active` means this process holds that part's lease. */
export interface WorkerStatus {
  sequencer: SequencerStatus | null;
  snapshots: { active: boolean; running: boolean; nextRun: Date | null; lastReport: SnapshotJobReport | null; lastError: string | null } | null;
  projections: { configured: number; runners: ProjectionRunnerStatus[] };
}

/** A running worker; see `startWorker`. */
export interface Worker {
  /** Stops every part (in-flight work finishes, leases are released). Safe to call twice. */
  stop(): Promise<void>;
  status(): WorkerStatus;
}

export const SNAPSHOT_JOB_LEASE = 'snapshot-job';

/**
 * Runs the background parts of Chronicle in this process: the sequencer of the global log and,
 * if configured, the scheduled snapshot job and one runner per projection. Every app instance may start one: each part is
 * leased, so one instance is active per part, and a killed holder is replaced within its TTL.
 */
export function startWorker(chronicle: Chronicle, opts: WorkerOptions = {}): Worker {
  const logger = opts.logger ?? internals.get(chronicle)?.logger ?? silentLogger;
  const controller = new AbortController();
  let sequencer: Sequencer | null = null;
  if (opts.sequencer !== false) {
    sequencer = createSequencer(chronicle.db, { ...(typeof opts.sequencer === 'object' ? opts.sequencer : {}), logger });
    sequencer.start();
  }

  const projections = opts.projections?.length ? startProjections(chronicle.db, opts.projections, { ...opts.projectionOptions, logger }) : null;

  const snapStatus: NonNullable<WorkerStatus['snapshots']> | null = opts.snapshots ? { active: false, running: false, nextRun: null, lastReport: null, lastError: null } : null;
  let scheduler: SnapshotScheduler | null = null;
  const snapshotLoop = opts.snapshots && snapStatus ? runSnapshots(opts.snapshots, snapStatus) : Promise.resolve();

  async function runSnapshots(o: WorkerSnapshotOptions, st: NonNullable<WorkerStatus['snapshots']>): Promise<void> {
    const signal = controller.signal;
    while (!signal.aborted) {
      let lease;
      try {
        lease = await acquireLease(chronicle.db, SNAPSHOT_JOB_LEASE, { ttlMs: o.leaseTtlMs ?? 30_000, waitMs: Infinity, signal, logger });
      } catch (err) {
        st.lastError = (err as Error).message;
        logger.warn({ error: st.lastError }, 'snapshot job: could not take the lease; retrying');
        await new Promise((r) => setTimeout(r, 1_000));
        continue;
      }
      if (!lease) return;
      st.active = true;
      logger.info({ epoch: lease.epoch, schedule: o.schedule }, 'snapshot job: this worker runs it');
      scheduler = createSnapshotScheduler(chronicle, {
        schedule: o.schedule,
        job: o.job,
        logger,
        onReport: (r) => {
          st.lastReport = r;
        },
      });
      try {
        if (o.runAtStart !== false) await scheduler.runNow();
        st.nextRun = scheduler.nextRun();
        logger.info({ schedule: o.schedule, nextRun: st.nextRun }, 'snapshot job scheduled');
        await new Promise<void>((resolve) => {
          const done = () => resolve();
          if (signal.aborted || lease.signal.aborted) return resolve();
          signal.addEventListener('abort', done, { once: true });
          lease.signal.addEventListener('abort', done, { once: true });
        });
      } catch (err) {
        st.lastError = (err as Error).message;
        logger.warn({ error: st.lastError }, 'snapshot job schedule failed');
      } finally {
        await scheduler.stop();
        scheduler = null;
        st.active = false;
        st.nextRun = null;
        await lease.release();
      }
    }
  }

  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        controller.abort();
        await Promise.all([sequencer?.stop(), scheduler?.stop(), snapshotLoop, projections?.stop()]);
        logger.info('worker stopped');
      })();
      return stopping;
    },
    status() {
      if (snapStatus && scheduler) {
        snapStatus.running = scheduler.running;
        snapStatus.nextRun = scheduler.nextRun();
      }
      return { sequencer: sequencer?.status() ?? null, snapshots: snapStatus ? { ...snapStatus } : null, projections: { configured: opts.projections?.length ?? 0, runners: projections?.status() ?? [] } };
    },
  };
}
