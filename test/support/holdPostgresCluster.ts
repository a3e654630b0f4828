// A separate process that starts a throwaway PostgreSQL cluster with a FerretDB on it, prints the
// pids and the cluster's folder as one JSON line, and waits, so a test can kill it by any signal and
// check that nothing it started outlives it.
import { startFerretDbOnPostgres } from '../../src/server/ferretdbLauncher.js';
import { startPostgresCluster } from '../../src/server/postgresCluster.js';

const cluster = await startPostgresCluster();
const ferretdb = await startFerretDbOnPostgres({ postgresqlUrl: cluster.url });
process.stdout.write(
  `${JSON.stringify({
    postmaster: await cluster.postmasterPid(),
    watchdog: cluster.watchdogPid,
    ferretdb: ferretdb.process.pid,
    baseDir: cluster.baseDir,
    uri: ferretdb.uri,
  })}\n`,
);
setInterval(() => {}, 60_000);
