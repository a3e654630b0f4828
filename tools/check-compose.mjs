// Validates docker-compose.yml with the docker client when it has the compose plugin;
// our machines have no Docker engine or plugin, so the structural checks live in
// test/unit/dockerCompose.test.ts and always run.
import { spawnSync } from 'node:child_process';

const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.log('docker compose is not available here; docker-compose.yml is checked by test/unit/dockerCompose.test.ts');
  process.exit(0);
}
const res = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', '--profile', 'app', 'config', '--quiet'], { stdio: 'inherit' });
process.exit(res.status ?? 1);
