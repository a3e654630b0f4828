import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createJiti } from 'jiti';
import { ConfigError } from '../errors.js';
import { validateProjectConfig, type ChronicleProjectConfig } from './defineConfig.js';

/** The file names looked for, in this order. */
export const CONFIG_FILE_NAMES = ['chronicle.config.ts', 'chronicle.config.mts', 'chronicle.config.js', 'chronicle.config.mjs'] as const;

/**
 * The config file of the project around `cwd`: the nearest directory, from `cwd` upwards, that
 * holds one of CONFIG_FILE_NAMES. The search stops at the first directory with a package.json
 * (the project root), so a config of an enclosing project is never picked up by accident.
 * @throws ConfigError when one directory holds two of them (which one is meant is unclear).
 */
export function findConfigFile(cwd: string): string | null {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const found = CONFIG_FILE_NAMES.map((n) => join(dir, n)).filter((f) => existsSync(f));
    if (found.length > 1) throw new ConfigError(`two config files in ${dir}: ${found.map((f) => relative(dir, f)).join(' and ')}; keep one`);
    if (found[0] !== undefined) return found[0];
    if (existsSync(join(dir, 'package.json')) || dir === dirname(dir)) return null;
  }
}

/** The useful part of a load error: the message with its location, without Node's require stack. */
function loadFailure(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const text = e.message.split(/\n\s*Require stack:/)[0] ?? e.message;
  // jiti puts the location of a syntax error on a second line: "ParseError: …\n /path/file.ts:3:5".
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l, i) => (i === 0 ? l : /^\S+:\d+:\d+$/.test(l) ? ` (${l})` : `\n  ${l}`))
    .join('');
}

/**
 * Loads a config file: TypeScript is compiled on the fly by jiti (no build step, no native
 * binary), JavaScript loads as it is. The default export is validated.
 * @throws ConfigError starting with the file name: missing file, syntax or import error,
 *   no default export, or an invalid config.
 */
export async function loadConfigFile(file: string): Promise<ChronicleProjectConfig> {
  const path = resolve(file);
  const rel = relative(process.cwd(), path);
  const shown = rel === '' || rel.startsWith('..') ? path : rel;
  if (!existsSync(path) || !statSync(path).isFile()) throw new ConfigError(`config file ${shown} does not exist`);
  // interopDefault off: the module namespace as it is, so a missing default export is visible.
  const jiti = createJiti(import.meta.url, { interopDefault: false, moduleCache: false, tryNative: true });
  let mod: unknown;
  try {
    mod = await jiti.import(path);
  } catch (err) {
    // defineConfig's own complaint (by name: the config may have loaded another copy of Chronicle).
    if ((err as Error | null)?.name === 'ConfigError') throw new ConfigError(`config file ${shown}: ${(err as Error).message}`, { cause: err });
    throw new ConfigError(`config file ${shown} could not be loaded: ${loadFailure(err)}`, { cause: err });
  }
  const value = (mod as { default?: unknown } | null)?.default;
  if (value === undefined) {
    throw new ConfigError(`config file ${shown} has no default export; write \`export default defineConfig({ aggregates: [...] })\``);
  }
  try {
    return validateProjectConfig(value);
  } catch (err) {
    throw new ConfigError(`config file ${shown}: ${(err as Error).message}`, { cause: err });
  }
}
