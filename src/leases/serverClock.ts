import type { Db } from 'mongodb';
import { wrapDriverError } from '../storage/wrapDriverError.js';

/**
 * The server's wall clock as seen from this process: one `hello` (its `localTime`, on MongoDB
 * and FerretDB alike) anchors it, and the process's monotonic clock carries it forward. Lease
 * expiry is decided on this clock, so hosts whose own clocks disagree by hours still agree on
 * when a lease ran out, and a wall-clock jump on this host changes nothing.
 */
export interface ServerClock {
  /** The server's current time, estimated without a round trip. */
  now(): Date;
  /** Re-reads the server's time (one round trip). */
  sync(): Promise<Date>;
}

/** Creates a clock anchored on `db`'s server; call `sync()` before the first `now()`. */
export function createServerClock(db: Db): ServerClock {
  let anchorServer = 0;
  let anchorMono = 0;
  let synced = false;
  return {
    now() {
      if (!synced) throw new Error('server clock used before sync()');
      return new Date(anchorServer + (performance.now() - anchorMono));
    },
    async sync() {
      const sent = performance.now();
      const reply = await wrapDriverError('read the server time', () => db.command({ hello: 1 }));
      const received = performance.now();
      const local = reply.localTime;
      if (!(local instanceof Date)) throw new Error('the server did not report its time (hello.localTime)');
      // The reply was stamped somewhere in the round trip; its middle is the best guess.
      anchorServer = local.getTime();
      anchorMono = (sent + received) / 2;
      synced = true;
      return new Date(anchorServer + (received - anchorMono));
    },
  };
}
