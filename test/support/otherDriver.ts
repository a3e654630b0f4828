import { createRequire } from 'node:module';
import type * as Driver from 'mongodb';

/**
 * The driver major the library under test is NOT using: 7 on a normal run (the library
 * resolves `mongodb`, driver 6), 6 when the run resolves `mongodb` to driver 7
 * (CHRONICLE_MONGODB_DRIVER=7). Loaded with `require`, which vitest's alias does not touch,
 * so an app's client from another copy of the driver can be handed to the library.
 */
export const otherDriverName = process.env.CHRONICLE_MONGODB_DRIVER === '7' ? 'mongodb' : 'mongodb7';

// The two majors share the parts the tests use; typed as the default major.
export const otherDriver = createRequire(import.meta.url)(otherDriverName) as typeof Driver;

/** The major version of the copy named `name` (`mongodb` or `mongodb7`). */
export function driverMajor(name: string): number {
  const pkg = createRequire(import.meta.url)(`${name}/package.json`) as { version: string };
  return Number(pkg.version.split('.')[0]);
}
