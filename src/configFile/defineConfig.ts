import { z } from 'zod';
import type { AnyAggregateDefinition } from '../aggregates/types.js';
import { isScheduleText } from '../config.js';
import { ConfigError } from '../errors.js';
import { parseSchedule } from '../jobs/scheduler.js';
import { streamTypeSchema } from '../validation.js';

/**
 * A projection as the config lists it. Only its name is read for now (`chronicle aggregates`);
 * a `defineProjection(...)` result fits.
 */
export interface ConfiguredProjection {
  name: string;
  version?: number;
}

/** Snapshot job settings; each overrides `config/defaults.ts` and is overridden by env vars and flags. */
export interface SnapshotSettings {
  /** Events since the latest snapshot that make a stream due (CHRONICLE_SNAPSHOT_THRESHOLD). */
  threshold?: number;
  /** Cron expression or interval such as `30s` (CHRONICLE_SNAPSHOT_SCHEDULE). */
  schedule?: string;
  /** Batches of streams snapshotted at once (CHRONICLE_SNAPSHOT_CONCURRENCY). */
  concurrency?: number;
  /** Snapshots kept per stream (CHRONICLE_SNAPSHOT_KEEP). */
  keep?: number;
}

/** What a `chronicle.config.ts` exports by default. */
export interface ChronicleProjectConfig {
  /** Every aggregate the CLI and worker handle: the snapshot job snapshots their streams. One per stream type. */
  aggregates: readonly AnyAggregateDefinition[];
  projections?: readonly ConfiguredProjection[];
  snapshots?: SnapshotSettings;
}

const isFunction = (v: unknown) => typeof v === 'function';
const isZod = (v: unknown) => typeof (v as { safeParse?: unknown } | null | undefined)?.safeParse === 'function';
const positiveInt = (max: number) =>
  z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(max, { error: `must be at most ${max}` });

const aggregateSchema = z.looseObject(
  {
    type: streamTypeSchema,
    schemaVersion: positiveInt(Number.MAX_SAFE_INTEGER),
    initialState: z.custom(isFunction, { error: 'must be a function' }),
    evolve: z.custom(isFunction, { error: 'must be a function' }),
    decide: z.custom(isFunction, { error: 'must be a function' }),
    stateSchema: z.custom(isZod, { error: 'must be a zod schema' }),
    commandSchema: z.custom(isZod, { error: 'must be a zod schema' }),
    eventSchemas: z.record(z.string(), z.custom(isZod, { error: 'must be a zod schema' }), { error: 'must map event types to zod schemas' }),
  },
  { error: 'must be an aggregate definition (see defineAggregate)' },
);

const configSchema = z.strictObject(
  {
    aggregates: z
      .array(aggregateSchema, { error: 'must be an array of aggregate definitions' })
      .min(1, { error: 'must name at least one aggregate' })
      .superRefine((defs, ctx) => {
        const seen = new Map<string, number>();
        defs.forEach((d, i) => {
          const first = seen.get(d.type);
          if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'type'], message: `two aggregates have type "${d.type}" (entries ${first} and ${i}); each stream type needs exactly one definition` });
          else seen.set(d.type, i);
        });
      }),
    projections: z
      .array(z.looseObject({ name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }) }, { error: 'must be a projection definition' }), { error: 'must be an array of projection definitions' })
      .superRefine((defs, ctx) => {
        const names = defs.map((d) => d.name);
        names.forEach((n, i) => {
          if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `two projections are named "${n}"` });
        });
      })
      .optional(),
    snapshots: z
      .strictObject(
        {
          threshold: positiveInt(10_000_000).optional(),
          schedule: z
            .string({ error: 'must be a string' })
            .superRefine((s, ctx) => {
              if (!isScheduleText(s)) {
                ctx.addIssue({ code: 'custom', message: 'must be a cron expression like "*/5 * * * *" or an interval like 30s, 5m, 1h' });
                return;
              }
              try {
                parseSchedule(s);
              } catch (err) {
                ctx.addIssue({ code: 'custom', message: (err as Error).message });
              }
            })
            .optional(),
          concurrency: positiveInt(256).optional(),
          keep: positiveInt(1000).optional(),
        },
        { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown setting(s) ${iss.keys.join(', ')}; known: threshold, schedule, concurrency, keep` : 'must be an object { threshold?, schedule?, concurrency?, keep? }') },
      )
      .optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown key(s) ${iss.keys.join(', ')}; known: aggregates, projections, snapshots` : 'must be an object { aggregates, projections?, snapshots? }') },
);

/**
 * Checks a project config and returns it unchanged.
 * @throws ConfigError naming every problem with its path (`aggregates.1.type: …`).
 */
export function validateProjectConfig(value: unknown): ChronicleProjectConfig {
  const result = configSchema.safeParse(value);
  if (result.success) return value as ChronicleProjectConfig;
  const problems = result.error.issues.map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`);
  throw new ConfigError(`invalid Chronicle config:\n  ${problems.join('\n  ')}`);
}

/**
 * Declares the aggregates (and projections and snapshot settings) of a project for the
 * `chronicle` CLI and worker. Use it as the default export of `chronicle.config.ts`:
 *
 * ```ts
 * export default defineConfig({ aggregates: [orderAggregate], snapshots: { threshold: 200 } });
 * ```
 *
 * Environment variables and command-line flags override `snapshots`.
 * @throws ConfigError when the config is malformed (two aggregates with one type, a bad schedule, …).
 */
export function defineConfig<const T extends ChronicleProjectConfig>(config: T): T {
  validateProjectConfig(config);
  return config;
}
