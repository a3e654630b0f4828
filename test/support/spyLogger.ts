import type { Logger } from '../../src/logger.js';

/** A Logger that remembers what it was told, for asserting on "skipped with a log line". */
export function spyLogger(): Logger & { lines: { level: string; obj: unknown; msg: string | undefined }[] } {
  const lines: { level: string; obj: unknown; msg: string | undefined }[] = [];
  const at = (level: string) => (obj: object | string, msg?: string) => void lines.push({ level, obj, msg: typeof obj === 'string' ? obj : msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
