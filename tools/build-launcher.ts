// Builds (or finds in the cache) the FerretDB launcher, so CI pays the Go build once, up front.
import { ensureLauncherBinary } from '../src/server/ferretdbLauncher.js';

const started = Date.now();
const bin = await ensureLauncherBinary((msg) => console.log(`[launcher] ${msg}`));
console.log(`[launcher] ${bin.built ? `built in ${(bin.buildMs / 1000).toFixed(1)} s` : 'cached'}: ${bin.path} (${Date.now() - started} ms)`);
