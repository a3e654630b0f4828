import { z } from 'zod';
import { defaults } from '../config/defaults.js';
import { ConfigError, redactUri } from './errors.js';
import { LOG_FORMATS } from './logger.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Settings of the `chronicle` CLI and `npm start`, after validation. */
export interface ChronicleConfig {
  /** Absent: `npm start` starts an embedded server; the CLI's other commands require it. */
  mongodbUri: string | undefined;
  dbName: string;
  snapshotThreshold: number;
  snapshotSchedule: string;
  snapshotConcurrency: number;
  snapshotKeep: number;
  logLevel: (typeof LOG_LEVELS)[number];
  logFormat: (typeof LOG_FORMATS)[number];
}

const intervalPattern = /^\d+(ms|s|m|h)$/;
const cronPattern = /^(\S+\s+){4,5}\S+$/;

/** Whether a schedule has the form settings accept: an interval like `30s`, or 5-6 cron fields. */
export const isScheduleText = (s: string): boolean => intervalPattern.test(s.trim()) || cronPattern.test(s.trim());

const positiveInt = (max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(max, { error: `must be at most ${max}` });

/** Each variable with its schema; the key of the parsed result is the config field. */
const variables = {
  MONGODB_URI: ['mongodbUri', z.string().regex(/^mongodb(\+srv)?:\/\/.+/, { error: 'must start with mongodb:// or mongodb+srv://' }).optional()],
  CHRONICLE_DB: ['dbName', z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, { error: 'must be 1-63 letters, digits, _ or -' })],
  CHRONICLE_SNAPSHOT_THRESHOLD: ['snapshotThreshold', positiveInt(10_000_000)],
  CHRONICLE_SNAPSHOT_SCHEDULE: [
    'snapshotSchedule',
    z.string().refine((s) => intervalPattern.test(s.trim()) || cronPattern.test(s.trim()), {
      error: 'must be a cron expression like "*/5 * * * *" or an interval like 30s, 5m, 1h',
    }),
  ],
  CHRONICLE_SNAPSHOT_CONCURRENCY: ['snapshotConcurrency', positiveInt(256)],
  CHRONICLE_SNAPSHOT_KEEP: ['snapshotKeep', positiveInt(1000)],
  CHRONICLE_LOG_LEVEL: ['logLevel', z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })],
  CHRONICLE_LOG_FORMAT: ['logFormat', z.enum(LOG_FORMATS, { error: `must be one of ${LOG_FORMATS.join(', ')}` })],
} as const;

/**
 * Reads and validates settings from environment variables, falling back to `fallbacks` (a
 * config file's settings), then to `config/defaults.ts`. Throws `ConfigError` naming every bad variable and what it
 * accepts; the MongoDB password never appears in the message.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, fallbacks: Partial<ChronicleConfig> = {}): ChronicleConfig {
  const fallback: Record<string, unknown> = { ...defaults, mongodbUri: undefined, ...fallbacks };
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, [field, schema]] of Object.entries(variables)) {
    const raw = env[name];
    const value = raw === undefined || raw.trim() === '' ? fallback[field] : raw.trim();
    const parsed = (schema as z.ZodType).safeParse(value);
    if (parsed.success) {
      out[field] = parsed.data;
    } else {
      const shown = name === 'MONGODB_URI' ? redactUri(String(value)) : JSON.stringify(value);
      problems.push(`${name}=${shown}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return out as unknown as ChronicleConfig;
}

/** Parses an interval such as `30s` into milliseconds, or returns null for a cron expression. */
export function parseInterval(schedule: string): number | null {
  const m = /^(\d+)(ms|s|m|h)$/.exec(schedule.trim());
  if (!m) return null;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}
