import { InvalidArgumentError } from 'commander';
import { parseSchedule } from '../jobs/scheduler.js';
import { streamIdSchema } from '../validation.js';

/*
 * Argument parsers for commander. Throwing InvalidArgumentError makes commander report the
 * value and the option by name, and the CLI turns that into exit code 2 (bad usage).
 */

/** A whole number between `min` and `max`, written in plain digits. */
export function intArg(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`must be a whole number (${min}-${max}).`);
    const n = Number(value.trim());
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be between ${min} and ${max}.`);
    return n;
  };
}

/**
 * A literal stream id. Ids that look like a query (`{"$gt": ""}`, `$where`) are refused: the CLI
 * never parses them as filters, so accepting them would only hide a misunderstanding.
 */
export function streamIdArg(value: string): string {
  if (/^\s*[{$]/.test(value)) throw new InvalidArgumentError('must be a literal stream id such as "todos-42", not a query or operator.');
  const parsed = streamIdSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`${parsed.error.issues.map((i) => i.message).join('; ')}.`);
  return parsed.data;
}

/** A stream type as stored in `streamType`. */
export function streamTypeArg(value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(value)) throw new InvalidArgumentError('must be a stream type: a letter followed by letters, digits or _.');
  return value;
}

/** A cron expression or an interval such as 30s. */
export function scheduleArg(value: string): string {
  try {
    parseSchedule(value);
  } catch (err) {
    throw new InvalidArgumentError(`${(err as Error).message}.`);
  }
  return value.trim();
}
