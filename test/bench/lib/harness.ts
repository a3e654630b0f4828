/**
 * A small median-of-N harness. Each scenario is run several times (each run in its own fresh
 * database where that matters) and reported as the median with its spread, because absolute
 * times on a shared two-core machine are noise; the ratios taken within one run are what count.
 */
import { BSON, type CommandFailedEvent, type CommandStartedEvent, type CommandSucceededEvent, type MongoClient } from 'mongodb';

export type Mode = 'quick' | 'full';

export interface Stats {
  median: number;
  min: number;
  max: number;
  runs: number;
  values: number[];
}

export function stats(values: number[]): Stats {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0, values };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, runs: values.length, values };
}

/** Element-wise a[i] / b[i]: ratios are taken run by run (same moment, same server state), then summarised. */
export function ratios(a: number[], b: number[]): number[] {
  return a.map((x, i) => x / (b[i] as number));
}

export const now = () => performance.now();

/** Runs `fn` with `workers` concurrent loops until `total` operations are done; returns elapsed ms. */
export async function runConcurrent(total: number, workers: number, fn: (worker: number, i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        await fn(w, i);
      }
    }),
  );
  return now() - t0;
}

const HOUSEKEEPING = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'killCursors', 'buildInfo', 'saslStart', 'saslContinue']);

export interface CommandCount {
  /** Commands sent (housekeeping such as killCursors excluded). */
  commands: string[];
  /**
   * Sequential round trips: how many times a command started while no other was in flight.
   * Two queries sent together count once; a query sent after another's reply counts twice.
   */
  latencies: number;
  /** killCursors and other housekeeping commands sent meanwhile. */
  housekeeping: string[];
  bytesSent: number;
  bytesReceived: number;
}

/**
 * Counts the commands `fn` sends through `client` (which must have `monitorCommands: true`),
 * with the driver's command monitoring: deterministic where timings are not.
 */
export async function countCommands<T>(client: MongoClient, fn: () => Promise<T>): Promise<{ result: T } & CommandCount> {
  const out: CommandCount = { commands: [], latencies: 0, housekeeping: [], bytesSent: 0, bytesReceived: 0 };
  const inflight = new Set<number>();
  const size = (doc: unknown) => {
    try {
      return BSON.calculateObjectSize(doc as BSON.Document);
    } catch {
      return 0;
    }
  };
  const started = (e: CommandStartedEvent) => {
    if (HOUSEKEEPING.has(e.commandName)) {
      out.housekeeping.push(e.commandName);
      return;
    }
    if (inflight.size === 0) out.latencies += 1;
    inflight.add(e.requestId);
    out.commands.push(e.commandName);
    out.bytesSent += size(e.command);
  };
  const succeeded = (e: CommandSucceededEvent) => {
    if (!inflight.delete(e.requestId)) return;
    out.bytesReceived += size(e.reply);
  };
  const failed = (e: CommandFailedEvent) => {
    inflight.delete(e.requestId);
  };
  client.on('commandStarted', started);
  client.on('commandSucceeded', succeeded);
  client.on('commandFailed', failed);
  try {
    const result = await fn();
    return { result, ...out };
  } finally {
    client.off('commandStarted', started);
    client.off('commandSucceeded', succeeded);
    client.off('commandFailed', failed);
  }
}

/** Formats a number for the table: 3 significant digits, thousands separated. */
export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
  return x.toFixed(Math.min(decimals, 4));
}

export function spread(s: Stats): string {
  if (s.runs <= 1) return `n=${s.runs}`;
  return `${fmt(s.min)}–${fmt(s.max)} (n=${s.runs})`;
}

/** Renders rows as an aligned plain-text table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
