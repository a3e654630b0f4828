#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerAggregatesCommand } from './commands/aggregates.js';
import { registerDevCommand } from './commands/dev.js';
import { registerEventsCommand } from './commands/events.js';
import { registerLogCommands } from './commands/log.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerProjectionsCommand } from './commands/projections.js';
import { registerSnapshotCommand } from './commands/snapshot.js';
import { registerStartCommand } from './commands/start.js';
import { registerStatsCommand } from './commands/stats.js';
import { registerStreamsCommand } from './commands/streams.js';
import { describeFailure, exitCodeFor, loadProjectConfig } from './context.js';

function packageVersion(): string {
  // src/cli/ and dist/src/cli/ both sit below the package root.
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? '0.0.0');
  }
  return '0.0.0';
}

/**
 * Builds the `chronicle` program. Every subcommand is created through `program.command()`
 * after `exitOverride()`, so it inherits it and usage errors reach `main` as CommanderErrors.
 */
function createProgram(): Command {
  const program = new Command('chronicle')
    .description('Operate a Chronicle event store: migrations, snapshot jobs, and reading streams.\nData goes to stdout; logs (readable on a terminal, else JSON) and progress to stderr.')
    .version(packageVersion())
    .option('--uri <uri>', 'MongoDB connection string (default: $MONGODB_URI)')
    .option('--db <name>', 'database name (default: $CHRONICLE_DB, else "chronicle")')
    .option('--config <path>', 'config file (default: $CHRONICLE_CONFIG, else chronicle.config.{ts,mts,js,mjs} found from the working directory)')
    .hook('preAction', (_program, action) => loadProjectConfig(action))
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  registerMigrateCommand(program);
  registerSnapshotCommand(program);
  registerEventsCommand(program);
  registerStreamsCommand(program);
  registerStatsCommand(program);
  registerStartCommand(program);
  registerAggregatesCommand(program);
  registerDevCommand(program);
  registerLogCommands(program);
  registerProjectionsCommand(program);
  return program;
}

/** Runs the CLI and returns its exit code: 0 ok, 1 failure, 2 bad usage or bad values. */
async function main(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // Commander has already printed its own usage message.
    if (!(err instanceof CommanderError)) process.stderr.write(`chronicle: error: ${describeFailure(err)}\n`);
    return exitCodeFor(err);
  }
}

const code = await main(process.argv);
process.exitCode = code;
// Everything is closed by now; this only guards against a stray handle keeping the process alive.
setTimeout(() => process.exit(code), 2_000).unref();
