/**
 * A long-lived server for several test runs at once (e.g. helpers sharing one FerretDB/PostgreSQL):
 *
 *   npx tsx tools/test-server.ts [--port 27100] [--data DIR] [--backend postgresql|sqlite]
 *
 * Starts the same server the tests would (mongodb-memory-server, else FerretDB on PostgreSQL, else on
 * SQLite), prints `MONGODB_URI=…` once it accepts connections, and runs until SIGINT/SIGTERM. Without
 * --data the data is temporary and removed on exit; with it, kept and reused.
 */
import { parseArgs } from 'node:util';
import { startEmbeddedServer } from '../src/server/embeddedServer.js';

const { values } = parseArgs({
  options: { port: { type: 'string' }, data: { type: 'string' }, backend: { type: 'string' } },
});
const backend = values.backend;
if (backend !== undefined && backend !== 'postgresql' && backend !== 'sqlite') throw new Error(`--backend must be postgresql or sqlite, got ${backend}`);
const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--port must be a TCP port, got ${values.port}`);

const log = (msg: string) => console.error(`[test-server] ${msg}`);
const server = await startEmbeddedServer({ log, port, dataDir: values.data, backend });
log(`${server.kind}: ${server.info.description}${server.dataDir ? `, data in ${server.dataDir}` : ', temporary data'}`);
console.log(`MONGODB_URI=${server.uri}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`stop failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  });
}
// Keep the process alive until a signal arrives.
setInterval(() => {}, 1 << 30);
