/**
 * 1. Appends: Chronicle against the raw driver inserting the same commit documents, on the
 * same server in the same run, each scenario run in its own fresh, migrated database (same
 * indexes, comparable collection sizes). Runs of the implementations alternate, and the ratio
 * is taken run by run. emmett's append (which has no known-version fast path) is measured
 * against Chronicle's public `append` with an explicit expected version in the 1-writer case.
 */
import type { CommitDocument } from '../../../src/events/commitDocument.js';
import type { BenchContext } from '../lib/context.js';
import { ratios, runConcurrent, stats } from '../lib/harness.js';
import { commitDocument, createdEvent } from '../lib/workload.js';
import { connectEmmettClient, createEmmettPeer } from '../peers/emmett.js';

type Impl = 'driver' | 'chronicle' | 'chronicle-append' | 'emmett';

interface Scenario {
  key: string;
  label: string;
  writers: number;
  eventsPerAppend: number;
  appends: number;
  impls: Impl[];
}

const STREAMS_PER_WRITER = 25;
const WRITE_CONCERN = { w: 'majority' as const, j: true };
/** Slices each run is cut into, alternating between the implementations. */
const CHUNKS = 10;

export async function benchAppends(ctx: BenchContext): Promise<void> {
  const quick = ctx.mode === 'quick';
  const runs = quick ? 3 : 5;
  const single = quick ? 150 : 400;
  const scenarios: Scenario[] = [
    { key: '1w', label: 'single-event appends, 1 writer', writers: 1, eventsPerAppend: 1, appends: single, impls: ['driver', 'chronicle', 'chronicle-append', 'emmett'] },
    { key: '8w', label: 'single-event appends, 8 writers', writers: 8, eventsPerAppend: 1, appends: single, impls: ['driver', 'chronicle'] },
    { key: 'b10', label: '10-event appends, 1 writer', writers: 1, eventsPerAppend: 10, appends: Math.round(single / 2), impls: ['driver', 'chronicle'] },
  ];
  const emmettClient = await connectEmmettClient(ctx.uri);
  try {
    for (const sc of scenarios) {
      const rates = new Map<Impl, number[]>(sc.impls.map((i) => [i, []]));
      for (let run = 0; run < runs; run++) {
        // Each implementation gets its own fresh database; their appends then alternate in
        // chunks, rotating who goes first, so a WAL checkpoint or a noisy neighbour hits all alike.
        const targets = await Promise.all(sc.impls.map((impl) => open(ctx, sc, impl, emmettClient)));
        try {
          const elapsed = new Array<number>(targets.length).fill(0);
          const perChunk = Math.ceil(sc.appends / CHUNKS);
          for (let chunk = 0; chunk < CHUNKS; chunk++) {
            for (let k = 0; k < targets.length; k++) {
              const i = (k + chunk + run) % targets.length;
              elapsed[i] = (elapsed[i] ?? 0) + (await runConcurrent(perChunk, sc.writers, (w) => (targets[i] as Target).op(w)));
            }
          }
          sc.impls.forEach((impl, i) => rates.get(impl)?.push((perChunk * CHUNKS * sc.eventsPerAppend) / ((elapsed[i] as number) / 1000)));
        } finally {
          for (const t of targets) await t.close();
        }
      }
      const section = `appends: ${sc.label} (${sc.appends} appends × ${sc.eventsPerAppend} event${sc.eventsPerAppend > 1 ? 's' : ''}, ${STREAMS_PER_WRITER} streams per writer)`;
      const driver = rates.get('driver') ?? [];
      const names: Record<Impl, string> = {
        driver: 'raw driver insertOne (same documents, same indexes)',
        chronicle: 'Chronicle hot-path append (what handle() writes)',
        'chronicle-append': 'Chronicle events.append with explicit expectedVersion',
        emmett: 'emmett-mongodb appendToStream with expectedStreamVersion',
      };
      for (const impl of sc.impls) ctx.figures.push({ section, name: names[impl], stats: stats(rates.get(impl) ?? []), unit: 'events/s' });
      ctx.figures.push({
        section,
        name: 'ratio Chronicle hot path / driver',
        stats: stats(ratios(rates.get('chronicle') ?? [], driver)),
        unit: '×',
        headline: sc.key === '1w' ? 'append ratio vs driver' : sc.key === '8w' ? 'append ratio vs driver (8 writers)' : 'append ratio vs driver (10-event batches)',
        decimals: 2,
      });
      if (sc.impls.includes('chronicle-append')) {
        ctx.figures.push({
          section,
          name: 'ratio Chronicle append(expectedVersion) / driver',
          stats: stats(ratios(rates.get('chronicle-append') ?? [], driver)),
          unit: '×',
          note: 'checks the expected version is a commit boundary first: 2 round trips',
          headline: 'append ratio vs driver (public append, explicit expectedVersion)',
          decimals: 2,
        });
      }
      if (sc.impls.includes('emmett')) {
        ctx.figures.push({
          section,
          name: 'ratio Chronicle append(expectedVersion) / emmett',
          stats: stats(ratios(rates.get('chronicle-append') ?? [], rates.get('emmett') ?? [])),
          unit: '×',
          note: 'both read the stream, then write: 2 round trips each',
          headline: 'append ratio vs emmett',
          decimals: 2,
        });
        ctx.figures.push({
          section,
          name: 'ratio Chronicle hot path / emmett',
          stats: stats(ratios(rates.get('chronicle') ?? [], rates.get('emmett') ?? [])),
          unit: '×',
          headline: 'append ratio vs emmett (Chronicle hot path)',
          decimals: 2,
        });
      }
    }
  } finally {
    await emmettClient.close();
  }
}

interface Target {
  op(worker: number): Promise<void>;
  close(): Promise<void>;
}

/** A fresh database for `impl`, warmed up, and the append operation to time in it. */
async function open(ctx: BenchContext, sc: Scenario, impl: Impl, emmettClient: Awaited<ReturnType<typeof connectEmmettClient>>): Promise<Target> {
  const versions = new Map<string, number>();
  const counters = new Array<number>(sc.writers).fill(0);
  // Each writer owns its streams and cycles through them, so it always knows their versions.
  const next = (w: number) => {
    const n = counters[w] ?? 0;
    counters[w] = n + 1;
    const stream = `${w}x${n % STREAMS_PER_WRITER}`;
    const events = Array.from({ length: sc.eventsPerAppend }, (_, k) => createdEvent(n * sc.eventsPerAppend + k));
    return { stream, events, version: versions.get(stream) ?? 0 };
  };
  const done = (stream: string, version: number) => versions.set(stream, version);
  let target: Target;
  if (impl === 'emmett') {
    const peer = await createEmmettPeer(emmettClient, ctx.dbName(`app_${sc.key}_emmett`));
    target = {
      async op(w) {
        const { stream, events, version } = next(w);
        await peer.append(stream, events, version);
        done(stream, version + events.length);
      },
      close: () => peer.drop(),
    };
  } else {
    const { db, chronicle, events: store } = await ctx.freshChronicle(`app_${sc.key}_${impl}`);
    const col = db.collection<CommitDocument>('events');
    target = {
      async op(w) {
        const { stream, events, version } = next(w);
        const streamId = `todos-${stream}`;
        if (impl === 'driver') {
          await col.insertOne(commitDocument(streamId, version, events), { writeConcern: WRITE_CONCERN });
        } else if (impl === 'chronicle') {
          await store.appendAtKnownVersion(streamId, events, { expectedVersion: version, streamType: 'todos' });
        } else {
          await chronicle.events.append(streamId, events, { expectedVersion: version });
        }
        done(stream, version + events.length);
      },
      close: () => ctx.drop(db),
    };
  }
  await runConcurrent(sc.writers * 2, sc.writers, (w) => target.op(w));
  return target;
}
