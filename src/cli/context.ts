import { CommanderError, type Command } from 'commander';
import type { AnyAggregateDefinition } from '../aggregates/types.js';
import { connect, type Chronicle } from '../chronicle.js';
import { loadConfig, type ChronicleConfig } from '../config.js';
import type { ChronicleProjectConfig } from '../configFile/defineConfig.js';
import { findConfigFile, loadConfigFile } from '../configFile/loadConfigFile.js';
import { todoListAggregate, userAggregate } from '../domain/index.js';
import { ChronicleError, ConfigError, MigrationError, ValidationError, redactUri } from '../errors.js';
import { migrations } from '../../migrations/index.js';
import { pendingMigrations } from '../migrations/pending.js';
import { chooseLogFormat, createLogger, type Logger } from '../logger.js';

/** Exit codes of the `chronicle` CLI. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The aggregates the CLI knows without a config file: the built-in demo domain. */
export const builtInAggregates: readonly AnyAggregateDefinition[] = [userAggregate, todoListAggregate];

/** The project config of this invocation and the file it came from (null: none, built-ins). */
let project: { config: ChronicleProjectConfig; file: string | null } = { config: { aggregates: builtInAggregates }, file: null };

/**
 * Loads the config file named by `--config`, else CHRONICLE_CONFIG, else found from the working
 * directory; without one the built-in aggregates stay. Runs before every command's action.
 * @throws ConfigError with the file name when the file is missing, broken or invalid.
 */
export async function loadProjectConfig(command: Command): Promise<void> {
  const named = command.optsWithGlobals<{ config?: string }>().config ?? (process.env.CHRONICLE_CONFIG?.trim() || undefined);
  const file = named ?? findConfigFile(process.cwd());
  if (file !== null) project = { config: await loadConfigFile(file), file };
}

/** The aggregates the CLI knows: it snapshots their streams and reads their state shapes. */
export const cliAggregates = (): readonly AnyAggregateDefinition[] => project.config.aggregates;

/** For a log line: which aggregates this invocation handles and where they came from. */
export function projectSummary(): { configFile: string | null; aggregates: string[] } {
  return { configFile: project.file, aggregates: project.config.aggregates.map((d) => `${d.type}@${d.schemaVersion}`) };
}

/** The loaded project config and its file (null without one). */
export const projectConfig = (): { config: ChronicleProjectConfig; file: string | null } => project;

/** How long a command looks for a server before giving up: a wrong URI must fail in seconds. */
export const SERVER_SELECTION_TIMEOUT_MS = 5_000;

/** Settings and logger of one CLI invocation. */
export interface CliContext {
  config: ChronicleConfig;
  logger: Logger;
}

/**
 * Reads the configuration from the environment, with the global `--uri` and `--db` flags taking
 * precedence over MONGODB_URI and CHRONICLE_DB, and the config file's `snapshots` below the
 * environment; builds the stderr logger.
 * @throws ConfigError naming every bad setting.
 */
export function cliContext(command: Command): CliContext {
  const g = command.optsWithGlobals<{ uri?: string; db?: string }>();
  const env = { ...process.env };
  if (g.uri !== undefined) env.MONGODB_URI = g.uri;
  if (g.db !== undefined) env.CHRONICLE_DB = g.db;
  const s = project.config.snapshots ?? {};
  const config = loadConfig(env, {
    ...(s.threshold !== undefined ? { snapshotThreshold: s.threshold } : {}),
    ...(s.schedule !== undefined ? { snapshotSchedule: s.schedule } : {}),
    ...(s.concurrency !== undefined ? { snapshotConcurrency: s.concurrency } : {}),
    ...(s.keep !== undefined ? { snapshotKeep: s.keep } : {}),
  });
  return { config, logger: createLogger(config.logLevel, { format: chooseLogFormat(config.logFormat, process.stderr.isTTY) }) };
}

/** Connects with the CLI's short server-selection timeout; a missing URI is a usage error. */
export async function openChronicle(ctx: CliContext, uri = ctx.config.mongodbUri): Promise<Chronicle> {
  if (!uri) throw new ConfigError('no MongoDB URI: set MONGODB_URI or pass --uri mongodb://host:port');
  const chronicle = await connect({
    uri,
    dbName: ctx.config.dbName,
    logger: ctx.logger,
    snapshotKeep: ctx.config.snapshotKeep,
    serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
  });
  ctx.logger.debug({ uri: redactUri(uri), db: ctx.config.dbName }, 'connected');
  return chronicle;
}

/** Runs `fn` with a connected Chronicle and always closes it. */
export async function withChronicle<T>(command: Command, fn: (chronicle: Chronicle, ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = cliContext(command);
  const chronicle = await openChronicle(ctx);
  try {
    return await fn(chronicle, ctx);
  } finally {
    await chronicle.close().catch(() => {});
  }
}

/**
 * Refuses to report on a database that holds no Chronicle data at all (a mistyped `--db`
 * would otherwise print zeros and exit 0, as if an event store were empty).
 */
export async function requireChronicleDatabase(chronicle: Chronicle, ctx: CliContext): Promise<void> {
  if ((await pendingMigrations(chronicle.db)).length < migrations.length) return;
  throw new MigrationError(
    `database "${ctx.config.dbName}" does not exist or is not migrated (no Chronicle migrations applied); check --db / CHRONICLE_DB, or run \`chronicle migrate\` to create it`,
  );
}

/** 0 for help and version, 2 for bad usage or bad values, 1 for everything else. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof ValidationError || err instanceof ConfigError) return EXIT.usage;
  return EXIT.failure;
}

/**
 * The one message a person sees for a failure: no stack trace (unless CHRONICLE_LOG_LEVEL is
 * debug or trace), and never a password, even if a driver message quoted the URI.
 */
export function describeFailure(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const verbose = ['debug', 'trace'].includes(process.env.CHRONICLE_LOG_LEVEL ?? '');
  const text = verbose && !(err instanceof ChronicleError) ? String(e.stack ?? e.message) : e.message;
  // Any URI in the text, not only the configured one: a driver message may quote what it parsed.
  return text.replace(/mongodb(?:\+srv)?:\/\/[^\s"']+/gi, (uri) => redactUri(uri));
}
