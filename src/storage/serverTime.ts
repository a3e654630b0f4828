import type { Db } from 'mongodb';
import { wrapDriverError } from './wrapDriverError.js';

/**
 * The server's clock (`hello`'s `localTime`, which MongoDB and FerretDB both report), for times
 * that several hosts compare: one clock for everyone, so a host whose own clock is off cannot
 * move a shared checkpoint. Falls back to this host's clock only if the server sends none.
 */
export async function serverTime(db: Db): Promise<Date> {
  // `hello` is MongoDB 4.4.2+ (and FerretDB); older servers answer only the legacy `isMaster`.
  const reply = await wrapDriverError('read the server time', () => db.command({ hello: 1 }).catch(() => db.command({ isMaster: 1 })));
  const local: unknown = reply.localTime;
  return local instanceof Date && !Number.isNaN(local.getTime()) ? local : new Date();
}
