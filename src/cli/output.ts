import { SingleBar } from 'cli-progress';
import type { SnapshotJobProgress } from '../jobs/runSnapshotJob.js';

/*
 * Data goes to stdout, everything else (logs, progress, errors) to stderr, so
 * `chronicle events x --json | jq` sees only data.
 */

let stdoutClosed = false;
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // `chronicle events x | head -1`: the reader left; that is not our failure.
  if (err.code === 'EPIPE') stdoutClosed = true;
  else throw err;
});

/**
 * Writes one line to stdout, waiting when the pipe is full so a long history does not pile up
 * in memory. Returns false once the reader has gone, so a caller can stop producing.
 */
export async function writeLine(line: string): Promise<boolean> {
  if (stdoutClosed) return false;
  if (!process.stdout.write(`${line}\n`)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        process.stdout.off('drain', done);
        process.stdout.off('error', done);
        resolve();
      };
      process.stdout.once('drain', done);
      process.stdout.once('error', done);
    });
  }
  return !stdoutClosed;
}

/**
 * JSON for data that came out of a payload: bigint as a number when it is exact (else a
 * string), Map as an object (or entry pairs when keys are not strings), Set as an array.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    if (v instanceof Map) return [...v.keys()].every((k) => typeof k === 'string') ? Object.fromEntries(v) : [...v.entries()];
    if (v instanceof Set) return [...v];
    return v;
  });
}

/** Left-aligned text columns, right-aligned numbers, two spaces apart. */
export function formatTable(header: string[], rows: (string | number)[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === '-'));
  const line = (cells: (string | number)[]) =>
    cells
      .map((c, i) => (numeric[i] ? String(c).padStart(widths[i] ?? 0) : String(c).padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A progress bar on stderr when it is a terminal; otherwise nothing (logs say what happened). */
export function progressBar(label: string): { update(p: SnapshotJobProgress): void; stop(): void } {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {value}/{total} streams | {written} written | {failed} failed`,
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update(p) {
      if (!started) {
        bar.start(p.total, p.done, { written: p.written, failed: p.failed });
        started = true;
      }
      bar.setTotal(p.total);
      bar.update(p.done, { written: p.written, failed: p.failed });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
