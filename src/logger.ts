import { pino } from 'pino';

/** The logging surface Chronicle needs; a pino logger fits it, and so does a test spy. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** A logger that drops everything; the default for the embedded library. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A pino logger writing JSON lines to stderr, so stdout stays free for data. */
export function createLogger(level: string = 'info'): Logger {
  return pino({ level, base: { name: 'chronicle' } }, pino.destination(2));
}
