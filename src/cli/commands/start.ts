import { rm } from 'node:fs/promises';
import type { Command } from 'commander';
import { createStreamCatalog } from '../../events/streamCatalog.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../server/embeddedServer.js';
import { cliContext, openChronicle, projectConfig, projectSummary } from '../context.js';
import { seedDemo } from '../demoSeed.js';
import { demoProjections, logDemoSummaries } from '../projectionSummary.js';
import { shutdownSignal } from '../shutdown.js';
import { startWorker } from '../../worker/startWorker.js';
import { addJobOptions, jobOptions, type JobFlags } from './snapshot.js';

/**
 * `chronicle start` (what `npm start` runs): migrations, then the worker (`startWorker`): the
 * sequencer of the global log, and the snapshot job at once and on its schedule, until SIGINT/SIGTERM. Without MONGODB_URI it starts an embedded server
 * (mongodb-memory-server, else FerretDB) with temporary data and seeds a demo into the empty
 * database (unless a config file names your own aggregates), so one command shows the whole
 * loop; `--demo` seeds an empty external database too.
 */
export function registerStartCommand(program: Command): void {
  const start = program
    .command('start')
    .description('run migrations, then the worker: the log sequencer and the snapshot job now and on its schedule (no MONGODB_URI: embedded server + demo data)');
  addJobOptions(start)
    .option('--demo', 'seed the demo into an empty database even when MONGODB_URI is set')
    .option('--no-demo', 'never seed the demo')
    .action(async (opts: JobFlags & { demo?: boolean }, command: Command) => {
      const ctx = cliContext(command);
      const { logger } = ctx;
      const shutdown = shutdownSignal(logger);
      const summary = projectSummary();
      logger.info(summary, summary.configFile ? `aggregates from ${summary.configFile}: ${summary.aggregates.join(', ')}` : `no config file: the built-in demo aggregates ${summary.aggregates.join(', ')}`);
      let server: EmbeddedServer | null = null;
      try {
        let uri = ctx.config.mongodbUri;
        if (!uri) {
          logger.info('MONGODB_URI is not set: starting an embedded server (mongodb-memory-server if a mongod is available, else FerretDB)');
          server = await startEmbeddedServer({ log: (msg) => logger.info(msg) });
          logger.info({ kind: server.kind, uri: server.uri }, `embedded server running: ${server.info.description} at ${server.uri} (temporary data, removed on exit)`);
          uri = server.uri;
        }
        if (shutdown.signal.aborted) return;
        const chronicle = await openChronicle(ctx, uri);
        try {
          const { applied } = await chronicle.migrate();
          logger.info({ db: ctx.config.dbName, applied }, applied.length > 0 ? `applied ${applied.length} migration(s)` : 'database is up to date');
          const job = jobOptions(ctx, opts);
          // The demo writes the built-in aggregates' streams: only useful when those are the ones configured.
          if ((opts.demo ?? (server !== null && projectConfig().file === null)) && !shutdown.signal.aborted) {
            if (await createStreamCatalog(chronicle.db).isEmpty()) {
              const seeded = await seedDemo(chronicle, job.threshold);
              logger.info({ streams: seeded.streams }, `seeded the demo: ${seeded.streams.length} streams, ${seeded.events} events in ${seeded.commits} commits (snapshot threshold ${job.threshold})`);
            } else {
              logger.info('the database already holds events; not seeding the demo');
            }
          }
          if (shutdown.signal.aborted) return;
          // The worker: the sequencer numbers commits into the global log, and the snapshot job
          // runs now and on its schedule; each under its lease, so several instances are safe.
          const schedule = opts.cron ?? ctx.config.snapshotSchedule;
          const worker = startWorker(chronicle, { logger, snapshots: { schedule, job, runAtStart: true }, projections: demoProjections });
          void logDemoSummaries(chronicle, logger, shutdown.signal).catch((err: unknown) => logger.warn({ error: (err as Error).message }, 'could not summarize the read models'));
          logger.info({ schedule }, 'worker running (sequencer, snapshot job, projections todo_summaries and user_directory); Ctrl+C (SIGINT) or SIGTERM stops it');
          await new Promise<void>((resolve) => shutdown.signal.addEventListener('abort', () => resolve(), { once: true }));
          await worker.stop();
        } finally {
          await chronicle.close().catch(() => {});
        }
      } finally {
        if (server) {
          await server.stop().catch(() => {});
          if (server.dataDir) await rm(server.dataDir, { recursive: true, force: true }).catch(() => {});
          logger.info('embedded server stopped');
        }
        shutdown.dispose();
      }
    });
}
