/**
 * `npm run bench [-- --quick] [-- --only=appends,roundtrips,loads,job,peers,log,projections]`
 *
 * Chronicle against the raw driver and peer event stores, on one server in one run: the server
 * of MONGODB_URI when set, else one started here exactly as the tests start theirs
 * (mongodb-memory-server, else FerretDB on PostgreSQL or SQLite). Prints a table, then one `name: value` line per
 * headline figure, and writes the same figures as JSON to test/bench/results/.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { redactUri } from '../../src/errors.js';
import { describeServer, startEmbeddedServer, type EmbeddedServer } from '../../src/server/embeddedServer.js';
import { makeContext, type BenchContext, type Figure } from './lib/context.js';
import { fmt, now, spread, table, type Mode } from './lib/harness.js';
import { benchAppends } from './sections/appends.js';
import { benchLoads } from './sections/loads.js';
import { benchLog } from './sections/log.js';
import { benchPeers } from './sections/peers.js';
import { benchProjections } from './sections/projections.js';
import { benchRoundTrips, type RoundTripRow } from './sections/roundTrips.js';
import { benchSnapshotJob } from './sections/snapshotJob.js';

const SECTIONS = ['roundtrips', 'appends', 'loads', 'job', 'peers', 'log', 'projections'] as const;
type Section = (typeof SECTIONS)[number];

function parseArgs(argv: string[]): { mode: Mode; only: Set<Section> } {
  let mode: Mode = 'full';
  let only = new Set<Section>(SECTIONS);
  for (const arg of argv) {
    if (arg === '--quick') mode = 'quick';
    else if (arg.startsWith('--only=')) {
      const wanted = arg.slice('--only='.length).split(',');
      const bad = wanted.filter((w) => !(SECTIONS as readonly string[]).includes(w));
      if (bad.length > 0) throw new Error(`unknown section(s) ${bad.join(', ')}; known: ${SECTIONS.join(', ')}`);
      only = new Set(wanted as Section[]);
    } else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run bench [-- --quick] [-- --only=roundtrips,appends,loads,job,peers,log,projections]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  return { mode, only };
}

async function main(): Promise<number> {
  const { mode, only } = parseArgs(process.argv.slice(2));
  const started = now();
  const loadBefore = os.loadavg()[0] ?? 0;
  const log = (msg: string) => console.error(`[bench ${((now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
  log(`mode: ${mode}${mode === 'quick' ? ' (scaled down for CI smoke runs: see the notes)' : ''}`);

  let server: EmbeddedServer | undefined;
  let uri = process.env.MONGODB_URI;
  let serverKind: string;
  let serverDescription: string;
  if (uri) {
    const info = await describeServer(uri, 10_000);
    serverKind = info.ferretdbVersion ? 'ferretdb' : 'external';
    serverDescription = info.description;
    log(`using MONGODB_URI ${redactUri(uri)}: ${info.description}`);
  } else {
    log('MONGODB_URI not set: starting a server the way the tests do');
    server = await startEmbeddedServer({ log });
    uri = server.uri;
    serverKind = server.kind;
    serverDescription = server.info.description;
    log(`started ${server.kind}: ${server.info.description} at ${uri} (${((now() - started) / 1000).toFixed(1)} s)`);
  }

  const client = new MongoClient(uri, { maxPoolSize: 32 });
  const monitored = new MongoClient(uri, { monitorCommands: true });
  await Promise.all([client.connect(), monitored.connect()]);
  const ctx = makeContext({ mode, serverKind, serverDescription, uri, client, monitored, log });
  if (ctx.isFerretDb && /PostgreSQL/.test(serverDescription)) {
    ctx.notes.push(
      'FerretDB 1.24 on PostgreSQL sends only top-level equality filters (`_id`, `streamId`, …) to PostgreSQL, where GIN indexes serve them; ranges (`$gt`, `$lte`), `$in`, `$or`, sorts and limits run inside FerretDB over every document the equality part matched. A read of the tail of a long stream therefore costs in proportion to the whole stream, and a filter without an equality (a time range, a batch `$in`) reads the whole collection; compare the raw-driver rows, which send the same queries.',
    );
  } else if (ctx.isFerretDb) {
    ctx.notes.push(
      "FerretDB 1.24's SQLite backend pushes down only `_id` equality: every other filter scans the whole collection (explain: SCAN), and sort/limit run after the scan; every insert is fsynced (synchronous(full)). Timings of reads therefore grow with collection size whatever the client does; compare the raw-driver rows, which send the same queries.",
    );
  }

  let roundTrips: RoundTripRow[] = [];
  const failures: string[] = [];
  const sections: [Section, string, (c: BenchContext) => Promise<unknown>][] = [
    ['roundtrips', 'round trips', async (c) => (roundTrips = await benchRoundTrips(c))],
    ['appends', 'appends', benchAppends],
    ['loads', 'loads', benchLoads],
    ['job', 'snapshot job', benchSnapshotJob],
    ['peers', 'peers', benchPeers],
    ['log', 'global log', benchLog],
    ['projections', 'projections', benchProjections],
  ];
  try {
    for (const [key, label, fn] of sections) {
      if (!only.has(key)) continue;
      const t = now();
      log(`${label}…`);
      try {
        await fn(ctx);
        log(`${label} done in ${((now() - t) / 1000).toFixed(1)} s`);
      } catch (err) {
        const msg = `${label} failed: ${(err as Error).stack ?? String(err)}`;
        failures.push(msg);
        log(msg);
      }
    }
  } finally {
    await Promise.all([client.close(), monitored.close()]);
    await server?.stop();
    // A FerretDB started here keeps its SQLite files in a temp folder of its own: remove it.
    if (server?.dataDir) await rm(server.dataDir, { recursive: true, force: true });
  }
  const wallSeconds = (now() - started) / 1000;

  const loadAfter = os.loadavg()[0] ?? 0;
  if (Math.max(loadBefore, loadAfter) > 1.5) {
    ctx.notes.push(
      `the machine was busy with other work (1-minute load average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end, on ${os.availableParallelism()} CPUs): absolute figures are lower than on a quiet machine; ratios taken within a run are less affected.`,
    );
  }
  const machine = {
    loadAverage: { start: Number(loadBefore.toFixed(2)), end: Number(loadAfter.toFixed(2)) },
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.arch()}`,
    node: process.version,
  };
  print(ctx, roundTrips, { mode, wallSeconds, machine, uri: redactUri(uri), failures });
  await writeJson(ctx, roundTrips, { mode, wallSeconds, machine, failures });
  return failures.length === 0 ? 0 : 1;
}

function headlineValue(f: Figure): string {
  const d = f.decimals ?? 2;
  return f.stats.median.toFixed(d);
}

function print(ctx: BenchContext, roundTrips: RoundTripRow[], info: { mode: Mode; wallSeconds: number; machine: Record<string, unknown>; uri: string; failures: string[] }): void {
  const out: string[] = [];
  out.push('', `Chronicle benchmark (${info.mode} mode)`);
  out.push(`server:  ${ctx.serverDescription} [${ctx.serverKind}]`);
  out.push(`machine: ${String(info.machine.cpus)} CPUs (${String(info.machine.cpuModel)}), ${String(info.machine.memoryGiB)} GiB, ${String(info.machine.platform)}, Node ${String(info.machine.node)}`);
  out.push(`load:    1-minute load average ${JSON.stringify(info.machine.loadAverage)}`);
  if (roundTrips.length > 0) {
    out.push('', '== round trips per operation (driver command monitoring; deterministic) ==');
    out.push(
      table(
        ['operation', 'commands', 'sequential', 'sent', 'received', 'sent as'],
        roundTrips.map((r) => [r.op, String(r.count.commands.length), String(r.count.latencies), `${r.count.bytesSent} B`, `${r.count.bytesReceived} B`, r.count.commands.join(', ')]),
      ),
    );
  }
  out.push('', '== timed figures (median of the runs; spread = min–max over runs) ==');
  let section = '';
  const rows: string[][] = [];
  for (const f of ctx.figures) {
    if (f.section === 'round trips') continue;
    if (f.section !== section) {
      section = f.section;
      rows.push([`[${section}]`, '', '', '', '']);
    }
    rows.push([`  ${f.name}`, fmt(f.stats.median), f.unit, spread(f.stats), f.note ?? '']);
  }
  out.push(table(['figure', 'median', 'unit', 'spread', 'note'], rows));
  if (ctx.notes.length > 0) out.push('', 'notes:', ...ctx.notes.map((n) => `- ${n}`));
  if (info.failures.length > 0) out.push('', 'FAILED:', ...info.failures.map((f) => `- ${f}`));
  out.push('', `== headline figures (${info.mode} mode; ratios > 1 mean Chronicle is faster) ==`);
  for (const f of ctx.figures) {
    if (!f.headline) continue;
    const s = f.stats;
    out.push(`${f.headline}: ${headlineValue(f)}${s.runs > 1 ? `  [${fmt(s.min)}–${fmt(s.max)}, ${s.runs} runs]` : ''}`);
  }
  out.push(`bench wall time (s): ${info.wallSeconds.toFixed(1)}`);
  console.log(out.join('\n'));
}

async function writeJson(ctx: BenchContext, roundTrips: RoundTripRow[], info: { mode: Mode; wallSeconds: number; machine: Record<string, unknown>; failures: string[] }): Promise<void> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  await mkdir(dir, { recursive: true });
  const headlines: Record<string, { value: number; min: number; max: number; runs: number }> = {};
  for (const f of ctx.figures) if (f.headline) headlines[f.headline] = { value: Number(headlineValue(f)), min: f.stats.min, max: f.stats.max, runs: f.stats.runs };
  const doc = {
    createdAt: new Date().toISOString(),
    mode: info.mode,
    server: { kind: ctx.serverKind, description: ctx.serverDescription },
    machine: info.machine,
    wallSeconds: Number(info.wallSeconds.toFixed(1)),
    headlines,
    figures: ctx.figures.map((f) => ({ section: f.section, name: f.name, unit: f.unit, median: f.stats.median, min: f.stats.min, max: f.stats.max, runs: f.stats.values, note: f.note })),
    roundTrips: roundTrips.map((r) => ({ op: r.op, commands: r.count.commands, sequential: r.count.latencies, bytesSent: r.count.bytesSent, bytesReceived: r.count.bytesReceived })),
    notes: ctx.notes,
    failures: info.failures,
  };
  const stamp = doc.createdAt.replace(/[:.]/g, '-');
  const file = join(dir, `bench-${info.mode}-${stamp}.json`);
  await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`);
  await writeFile(join(dir, `latest-${info.mode}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  ctx.log(`wrote ${file}`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
