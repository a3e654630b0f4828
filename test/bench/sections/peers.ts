/**
 * 5. Peers on the same server with the same todo workload: command handling (load, decide,
 * append) and aggregate loads, against `@event-driven-io/emmett-mongodb` and `eventstore`
 * (node-eventstore). Appends alone against emmett are in the appends section.
 */
import { todoListAggregate, type TodoCommand, type TodoEvent } from '../../../src/domain/index.js';
import type { BenchContext } from '../lib/context.js';
import { now, ratios, runConcurrent, stats } from '../lib/harness.js';
import { historySlice, stateAfter } from '../lib/workload.js';
import { connectEmmettClient, createEmmettPeer } from '../peers/emmett.js';
import { createEventstorePeer, eventstoreDriverVersion } from '../peers/eventstore.js';

type Impl = 'chronicle' | 'emmett' | 'eventstore';

interface Peer {
  handle(id: string, command: TodoCommand): Promise<void>;
  append(id: string, events: TodoEvent[], expectedVersion: number): Promise<void>;
  load(id: string): Promise<unknown>;
  /** Only Chronicle has snapshots; the others replay. */
  snapshot?(id: string, version: number): Promise<void>;
  close(): Promise<void>;
}

const STREAMS = 25;

export async function benchPeers(ctx: BenchContext): Promise<void> {
  const quick = ctx.mode === 'quick';
  const runs = quick ? 3 : 5;
  const commands = quick ? 45 : 200;
  const shortStreams = quick ? 12 : 40;
  const loadsPerRun = quick ? 8 : 30;
  const longLoadsPerRun = quick ? 2 : 5;
  const emmettClient = await connectEmmettClient(ctx.uri);
  let eventstoreStatus: string | null = null;
  const impls: Impl[] = ['chronicle', 'emmett', 'eventstore'];

  // eventstore prints a driver deprecation warning on connect; it is not ours to fix.
  process.noDeprecation = true;

  const open = async (impl: Impl, tag: string): Promise<Peer | null> => {
    if (impl === 'chronicle') {
      const { db, chronicle, events: store } = await ctx.freshChronicle(`${tag}_chr`);
      const todos = chronicle.aggregate(todoListAggregate);
      return {
        handle: async (id, c) => void (await todos.handle(id, c)),
        append: async (id, events, v) => void (await store.appendAtKnownVersion(`todos-${id}`, events, { expectedVersion: v, streamType: 'todos' })),
        load: (id) => todos.load(id),
        snapshot: async (id, version) => void (await chronicle.snapshots.save({ streamId: `todos-${id}`, version, schemaVersion: todoListAggregate.schemaVersion, state: stateAfter(version) })),
        close: () => ctx.drop(db),
      };
    }
    if (impl === 'emmett') {
      const p = await createEmmettPeer(emmettClient, ctx.dbName(`${tag}_emm`));
      return { handle: p.handle, append: p.append, load: p.load, close: p.drop };
    }
    if (eventstoreStatus !== null) return null;
    const dbName = ctx.dbName(`${tag}_es`);
    try {
      const p = await createEventstorePeer(ctx.uri, dbName);
      return {
        handle: p.handle,
        append: (id, events) => p.append(id, events),
        load: p.load,
        close: async () => {
          await ctx.client.db(dbName).dropDatabase().catch(() => {});
          await p.close();
        },
      };
    } catch (err) {
      eventstoreStatus = `eventstore could not run: ${(err as Error).message}`;
      return null;
    }
  };

  try {
    // Command handling: every command loads the stream, decides and appends.
    const handleRates = new Map<Impl, number[]>(impls.map((i) => [i, []]));
    for (let run = 0; run < runs; run++) {
      const order = impls.map((_, i) => impls[(i + run) % impls.length] as Impl);
      for (const impl of order) {
        const peer = await open(impl, 'cmd');
        if (!peer) continue;
        try {
          let n = 0;
          const op = async () => {
            const i = n++;
            await peer.handle(`s${i % STREAMS}`, { type: 'CreateTodo', todoId: `t${i}`, text: `buy milk, eggs and bread #${i}` });
          };
          await runConcurrent(STREAMS, 1, op);
          const ms = await runConcurrent(commands, 1, op);
          handleRates.get(impl)?.push(commands / (ms / 1000));
        } finally {
          await peer.close();
        }
      }
    }
    ctx.log('peers: command handling done');
    const cmdSection = `peers: command handling (load + decide + append), 1 writer, ${STREAMS} streams, ${commands} commands`;
    const names: Record<Impl, string> = { chronicle: 'Chronicle handle()', emmett: 'emmett-mongodb DeciderCommandHandler', eventstore: 'eventstore getEventStream + commit' };
    for (const impl of impls) {
      if ((handleRates.get(impl) ?? []).length > 0) ctx.figures.push({ section: cmdSection, name: names[impl], stats: stats(handleRates.get(impl) ?? []), unit: 'commands/s' });
    }
    ctx.figures.push({ section: cmdSection, name: 'ratio Chronicle / emmett', stats: stats(ratios(handleRates.get('chronicle') ?? [], handleRates.get('emmett') ?? [])), unit: '×', headline: 'command ratio vs emmett', decimals: 2 });
    if ((handleRates.get('eventstore') ?? []).length > 0) {
      ctx.figures.push({ section: cmdSection, name: 'ratio Chronicle / eventstore', stats: stats(ratios(handleRates.get('chronicle') ?? [], handleRates.get('eventstore') ?? [])), unit: '×', headline: 'command ratio vs eventstore', decimals: 2 });
    }

    // Loads: the same streams seeded into each store, then loaded in alternating rounds.
    const peers = new Map<Impl, Peer>();
    for (const impl of impls) {
      const peer = await open(impl, 'load');
      if (!peer) continue;
      peers.set(impl, peer);
      const t0 = now();
      // Chronicle gets one commit per event, as commands write them. The peers' documents do not
      // depend on how the events were grouped (emmett: one per stream, eventstore: one per
      // event), so they get their ten in one append, which only makes seeding faster.
      // The long streams sit among the short ones (k0 first, k1 halfway), so no store gets a
      // layout where its scans of short streams never pass a long one.
      const long = async (id: string) => {
        for (let v = 0; v < 1_000; v += 100) await peer.append(id, historySlice(v, 100), v);
      };
      await long('k0');
      for (let s = 0; s < shortStreams; s++) {
        if (s === shortStreams / 2) await long('k1');
        if (impl !== 'chronicle') await peer.append(`s${s}`, historySlice(0, 10), 0);
        else for (let v = 0; v < 10; v++) await peer.append(`s${s}`, historySlice(v, 1), v);
      }
      await peer.snapshot?.('k1', 1_000);
      await peer.load('s0');
      ctx.log(`peers: seeded ${impl} in ${((now() - t0) / 1000).toFixed(1)} s`);
    }
    const loadRates = new Map<string, number[]>();
    const push = (k: string, x: number) => loadRates.set(k, [...(loadRates.get(k) ?? []), x]);
    for (let run = 0; run < runs; run++) {
      const order = [...peers.keys()].map((_, i, a) => a[(i + run) % a.length] as Impl);
      for (const impl of order) {
        const peer = peers.get(impl) as Peer;
        let t = now();
        for (let i = 0; i < loadsPerRun; i++) await peer.load(`s${(i + run * loadsPerRun) % shortStreams}`);
        push(`${impl}:10`, loadsPerRun / ((now() - t) / 1000));
        t = now();
        for (let i = 0; i < longLoadsPerRun; i++) await peer.load('k0');
        push(`${impl}:1k`, longLoadsPerRun / ((now() - t) / 1000));
        if (peer.snapshot) {
          t = now();
          for (let i = 0; i < longLoadsPerRun; i++) await peer.load('k1');
          push(`${impl}:1k:snap`, longLoadsPerRun / ((now() - t) / 1000));
        }
      }
    }
    for (const peer of peers.values()) await peer.close();
    const loadSection = `peers: aggregate loads (${shortStreams} streams × 10 events, 2 streams × 1,000 events in commits of 100)`;
    const loadNames: Record<Impl, string> = { chronicle: 'Chronicle load()', emmett: 'emmett-mongodb aggregateStream', eventstore: 'eventstore getEventStream + fold' };
    for (const [size, label] of [['10', '10-event stream'], ['1k', '1,000-event stream']] as const) {
      for (const impl of peers.keys()) ctx.figures.push({ section: loadSection, name: `${loadNames[impl]}, ${label}`, stats: stats(loadRates.get(`${impl}:${size}`) ?? []), unit: 'loads/s' });
      if (size === '1k') ctx.figures.push({ section: loadSection, name: `Chronicle load(), ${label}, fresh snapshot`, stats: stats(loadRates.get('chronicle:1k:snap') ?? []), unit: 'loads/s' });
    }
    const c10 = loadRates.get('chronicle:10') ?? [];
    ctx.figures.push({ section: loadSection, name: 'ratio Chronicle / emmett, 10-event stream', stats: stats(ratios(c10, loadRates.get('emmett:10') ?? [])), unit: '×', headline: 'load ratio vs emmett', decimals: 2 });
    ctx.figures.push({ section: loadSection, name: 'ratio Chronicle / emmett, 1,000 events, no snapshot', stats: stats(ratios(loadRates.get('chronicle:1k') ?? [], loadRates.get('emmett:1k') ?? [])), unit: '×', headline: 'load ratio vs emmett (1,000 events, no snapshot)', decimals: 2 });
    ctx.figures.push({ section: loadSection, name: 'ratio Chronicle (snapshot) / emmett, 1,000 events', stats: stats(ratios(loadRates.get('chronicle:1k:snap') ?? [], loadRates.get('emmett:1k') ?? [])), unit: '×', headline: 'load ratio vs emmett (1,000 events, Chronicle with snapshot)', decimals: 2 });
    if (peers.has('eventstore')) {
      ctx.figures.push({ section: loadSection, name: 'ratio Chronicle / eventstore, 10-event stream', stats: stats(ratios(c10, loadRates.get('eventstore:10') ?? [])), unit: '×', headline: 'load ratio vs eventstore', decimals: 2 });
    }
  } finally {
    await emmettClient.close();
  }
  ctx.notes.push(
    eventstoreStatus ??
      `eventstore 1.15.5 ran with the mongodb ${eventstoreDriverVersion()} driver (its MongoDB store supports 3.x since 1.13); with the 2.1.x driver its own tests pin it cannot run here: that driver sends commands over the legacy OP_QUERY protocol, which FerretDB 1.24 refuses ("Unsupported OP_QUERY command: find. The client driver may require an upgrade.") and MongoDB removed in 5.1/6.0.`,
  );
}
