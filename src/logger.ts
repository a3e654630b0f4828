import { pino } from 'pino';
import { PinoPretty } from 'pino-pretty';

/** The logging surface Chronicle needs; a pino logger fits it, and so does a test spy. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** A logger that drops everything; the default for the embedded library. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** `pretty`: one human-readable line per entry; `json`: pino's JSON lines, for log collectors. */
export type LogFormat = 'pretty' | 'json';

/** What CHRONICLE_LOG_FORMAT accepts; `auto` picks by whether stderr is a terminal. */
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;

/**
 * The format a CLI logger writes: `json` or `pretty` when asked for, else pretty only when a
 * person is watching (stderr is a terminal), so pipes, files and collectors keep JSON.
 */
export function chooseLogFormat(setting: (typeof LOG_FORMATS)[number] | undefined, stderrIsTTY: boolean | undefined): LogFormat {
  if (setting === 'json' || setting === 'pretty') return setting;
  return stderrIsTTY === true ? 'pretty' : 'json';
}

export interface CreateLoggerOptions {
  /** Default `json`. */
  format?: LogFormat;
  /** Where lines go; default stderr (fd 2), so stdout stays free for data. */
  destination?: number | NodeJS.WritableStream;
  /** Colours in pretty lines; default: when the destination is a colour terminal. */
  colorize?: boolean;
}

/**
 * A pino logger writing to stderr: JSON lines, or with `format: 'pretty'` lines such as
 * `12:00:01.234 INFO: snapshot job finished` followed by the entry's fields.
 */
export function createLogger(level: string = 'info', opts: CreateLoggerOptions = {}): Logger {
  const destination = opts.destination ?? 2;
  const base = { level, base: { name: 'chronicle' } };
  if (opts.format !== 'pretty') {
    return pino(base, typeof destination === 'number' ? pino.destination(destination) : destination);
  }
  // In this thread and synchronous, not pino's worker transport: the CLI exits right after its
  // last line, and a worker could drop it.
  const pretty = PinoPretty({
    destination: typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination,
    sync: true,
    colorize: opts.colorize ?? (typeof destination === 'number' && process.stderr.isTTY === true && process.stderr.hasColors()),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name',
    singleLine: true,
  });
  return pino(base, pretty);
}
