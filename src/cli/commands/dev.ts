import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { startEmbeddedServer } from '../../server/embeddedServer.js';
import { cliContext } from '../context.js';
import { intArg } from '../options.js';
import { writeLine } from '../output.js';
import { shutdownSignal } from '../shutdown.js';

/**
 * `chronicle dev --port N [--data DIR]`: a local server for an app's dev loop and tests —
 * mongodb-memory-server when a mongod is available, else FerretDB. Prints
 * `MONGODB_URI=<uri>` on stdout once it accepts connections and runs until SIGINT/SIGTERM.
 * Without `--data` the data is temporary; with it the data stays in DIR across restarts.
 */
export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('start a local MongoDB-compatible server for development and print its URI (data kept with --data)')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', intArg(1, 65_535))
    .option('--data <dir>', 'keep the data in this folder across restarts (default: temporary)')
    .action(async (opts: { port?: number; data?: string }, command: Command) => {
      const { logger } = cliContext(command);
      const shutdown = shutdownSignal(logger);
      try {
        const dataDir = opts.data === undefined ? undefined : resolve(opts.data);
        if (dataDir) await mkdir(dataDir, { recursive: true });
        const server = await startEmbeddedServer({
          log: (msg) => logger.info(msg),
          ...(opts.port !== undefined ? { port: opts.port } : {}),
          ...(dataDir !== undefined ? { dataDir } : {}),
        });
        try {
          logger.info({ kind: server.kind, uri: server.uri, dataDir: dataDir ?? null }, `${server.info.description} at ${server.uri}; Ctrl-C stops it`);
          await writeLine(`MONGODB_URI=${server.uri}`);
          await new Promise<void>((r) => shutdown.signal.addEventListener('abort', () => r(), { once: true }));
        } finally {
          await server.stop();
          if (!dataDir && server.dataDir) await rm(server.dataDir, { recursive: true, force: true }).catch(() => {});
          if (dataDir) logger.info({ dataDir }, `server stopped; data kept in ${dataDir}`);
          else logger.info({ dataDir: server.dataDir ?? null }, 'server stopped; temporary data removed');
        }
      } finally {
        shutdown.dispose();
      }
    });
}
