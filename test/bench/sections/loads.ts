/**
 * 3. Loads of streams with 10, 1,000 and 100,000 events, with and without a fresh snapshot.
 *
 * All streams live in one database, so every load runs against the same collections: on
 * FerretDB, whose SQLite backend scans the whole collection for any filter but `_id`, that is
 * the only way the ratio between a long and a short stream measures Chronicle rather than
 * collection size. A "without snapshot" load is the same stream read through a copy of the
 * aggregate with another `schemaVersion`, which ignores the snapshot (as after a schema bump).
 * Each Chronicle load is paired with the raw driver sending the same queries on the same
 * collections (no decoding, no evolve), which is the floor the server sets.
 */
import type { Db } from 'mongodb';
import { createChronicle } from '../../../src/chronicle.js';
import { todoListAggregate } from '../../../src/domain/index.js';
import type { BenchContext } from '../lib/context.js';
import { countCommands, now, ratios, stats } from '../lib/harness.js';
import { historySlice, stateAfter } from '../lib/workload.js';

interface StreamSpec {
  id: string;
  events: number;
  perCommit: number;
}

const TAIL_COMMITS = 64;

export async function benchLoads(ctx: BenchContext): Promise<void> {
  const quick = ctx.mode === 'quick';
  const big = quick ? 10_000 : 100_000;
  const bigLabel = quick ? '10k' : '100k';
  const specs: StreamSpec[] = [
    { id: 'l10', events: 10, perCommit: 1 },
    ...(quick ? [] : [{ id: 'l1k', events: 1_000, perCommit: 100 }]),
    { id: `l${bigLabel}`, events: big, perCommit: 1_000 },
  ];
  const runs = 3;
  if (quick) ctx.notes.push('quick mode: the long stream has 10,000 events instead of 100,000 (the headline ratio is then load 10k with snapshot / load 10), and the 1,000-event stream is left out.');

  const { db, chronicle, events } = await ctx.freshChronicle('loads');
  try {
    const t0 = now();
    for (const s of specs) {
      for (let v = 0; v < s.events; v += s.perCommit) {
        await events.appendAtKnownVersion(`todos-${s.id}`, historySlice(v, s.perCommit), { expectedVersion: v, streamType: 'todos' });
      }
      await chronicle.snapshots.save({ streamId: `todos-${s.id}`, streamType: 'todos', version: s.events, schemaVersion: todoListAggregate.schemaVersion, state: stateAfter(s.events) });
    }
    const totalEvents = specs.reduce((n, s) => n + s.events, 0);
    ctx.log(`loads: seeded ${totalEvents.toLocaleString('en-US')} events in ${specs.reduce((n, s) => n + s.events / s.perCommit, 0)} commits in ${((now() - t0) / 1000).toFixed(1)} s`);

    const withSnap = chronicle.aggregate(todoListAggregate);
    const noSnap = chronicle.aggregate({ ...todoListAggregate, schemaVersion: 999 });
    // A warm-up of each path, checking the workload is what we think it is.
    for (const s of specs) {
      const a = await withSnap.load(s.id);
      const b = await noSnap.load(s.id);
      if (a.snapshotVersion !== s.events || a.eventsReplayed !== 0 || b.snapshotVersion !== null || b.eventsReplayed !== s.events || JSON.stringify(a.state) !== JSON.stringify(b.state)) {
        throw new Error(`load check failed for ${s.id}: ${JSON.stringify({ a: { ...a, state: undefined }, b: { ...b, state: undefined } })}`);
      }
    }

    const times = new Map<string, number[]>();
    const push = (k: string, ms: number) => times.set(k, [...(times.get(k) ?? []), ms]);
    const bigId = `l${bigLabel}`;
    const timed = async (key: string, fn: () => Promise<unknown>) => {
      const t = now();
      await fn();
      push(key, now() - t);
    };
    const sv = todoListAggregate.schemaVersion;
    for (let run = 0; run < runs; run++) {
      for (const s of specs) {
        const sid = `todos-${s.id}`;
        // The repository has loaded this stream before (as every command does), so it reads only what follows the snapshot.
        await timed(`${s.id}:snap`, () => withSnap.load(s.id));
        await timed(`${s.id}:snap:driver`, () => driverLoad(db, sid, { schemaVersion: sv, after: s.events }));
        await timed(`${s.id}:nosnap`, () => noSnap.load(s.id));
        await timed(`${s.id}:nosnap:driver`, () => driverLoad(db, sid, { schemaVersion: 999, snapshotVersion: 0 }));
        if (s.id === bigId) {
          // A repository that has never seen the stream: it reads the newest commits with the snapshot.
          await timed(`${s.id}:cold`, () => chronicle.aggregate(todoListAggregate).load(s.id));
          await timed(`${s.id}:cold:driver`, () => driverLoad(db, sid, { schemaVersion: sv, snapshotVersion: s.events }));
        }
      }
    }

    const section = `loads (one database: ${specs.map((s) => `${s.events.toLocaleString('en-US')} events in ${s.events / s.perCommit} commit${s.events / s.perCommit > 1 ? 's' : ''}`).join('; ')})`;
    const row = (key: string, label: string) => {
      const c = times.get(key) ?? [];
      const d = times.get(`${key}:driver`) ?? [];
      ctx.figures.push({ section, name: label, stats: stats(c), unit: 'ms' });
      ctx.figures.push({ section, name: '  raw driver, same queries, no decoding', stats: stats(d), unit: 'ms' });
      ctx.figures.push({ section, name: '  Chronicle / raw driver', stats: stats(ratios(c, d)), unit: '×' });
    };
    for (const s of specs) {
      const n = s.events.toLocaleString('en-US');
      row(`${s.id}:snap`, `load ${n} events, fresh snapshot`);
      if (s.id === bigId) row(`${s.id}:cold`, `load ${n} events, fresh snapshot, first load in this repository`);
      row(`${s.id}:nosnap`, `load ${n} events, no snapshot (full replay)`);
    }
    const bigSnap = times.get(`${bigId}:snap`) ?? [];
    ctx.figures.push({
      section,
      name: `load ${bigLabel} with snapshot / load 10`,
      stats: stats(ratios(bigSnap, times.get('l10:nosnap') ?? [])),
      unit: '×',
      note: 'same collection; target ≤ 1.5',
      headline: quick ? 'load 100k with snapshot / load 10 (quick: 10k)' : 'load 100k with snapshot / load 10',
      decimals: 2,
    });
    ctx.figures.push({ section, name: `load ${bigLabel} with snapshot / load 10 with snapshot`, stats: stats(ratios(bigSnap, times.get('l10:snap') ?? [])), unit: '×', decimals: 2 });
    ctx.figures.push({ section, name: `  the same, first load in the repository / load 10`, stats: stats(ratios(times.get(`${bigId}:cold`) ?? [], times.get('l10:nosnap') ?? [])), unit: '×', decimals: 2 });
    const replay = (times.get(`${bigId}:nosnap`) ?? []).map((ms) => big / (ms / 1000));
    ctx.figures.push({ section, name: `full replay, ${bigLabel} events`, stats: stats(replay), unit: 'events/s', headline: 'full-replay events/s', decimals: 0 });
    const replayDriver = (times.get(`${bigId}:nosnap:driver`) ?? []).map((ms) => big / (ms / 1000));
    ctx.figures.push({ section, name: `  raw driver fetching the same ${bigLabel} events`, stats: stats(replayDriver), unit: 'events/s' });

    // Bytes the server sends per load: independent of the server's speed, and what decides on MongoDB.
    const mdb = ctx.monitored.db(db.databaseName);
    const mchron = createChronicle(mdb);
    const warm = mchron.aggregate(todoListAggregate);
    const bytes = async (fn: () => Promise<unknown>) => (await countCommands(ctx.monitored, fn)).bytesReceived;
    await warm.load(bigId);
    const b10 = await bytes(() => mchron.aggregate(todoListAggregate).load('l10'));
    const bBig = await bytes(() => warm.load(bigId));
    const bBigCold = await bytes(() => mchron.aggregate(todoListAggregate).load(bigId));
    const bsection = `${section}: bytes received per load (command monitoring)`;
    ctx.figures.push({ section: bsection, name: 'load 10 events', stats: stats([b10]), unit: 'bytes' });
    ctx.figures.push({ section: bsection, name: `load ${bigLabel} events, fresh snapshot`, stats: stats([bBig]), unit: 'bytes' });
    ctx.figures.push({ section: bsection, name: `load ${bigLabel} events, fresh snapshot, first load in the repository`, stats: stats([bBigCold]), unit: 'bytes' });
    ctx.figures.push({ section: bsection, name: `bytes: load ${bigLabel} with snapshot / load 10`, stats: stats([bBig / b10]), unit: '×', headline: 'bytes per load, 100k with snapshot / 10' + (quick ? ' (quick: 10k)' : ''), decimals: 2 });
  } finally {
    await ctx.drop(db);
  }

  // The same 10-event stream alone in a small database: what a load costs when the collection is small.
  const small = await ctx.freshChronicle('loads_small');
  try {
    for (let v = 0; v < 10; v++) await small.events.appendAtKnownVersion('todos-l10', historySlice(v, 1), { expectedVersion: v, streamType: 'todos' });
    const repo = small.chronicle.aggregate(todoListAggregate);
    await repo.load('l10');
    const c: number[] = [];
    const d: number[] = [];
    for (let run = 0; run < 5; run++) {
      let t = now();
      for (let i = 0; i < 20; i++) await repo.load('l10');
      c.push((now() - t) / 20);
      t = now();
      for (let i = 0; i < 20; i++) await driverLoad(small.db, 'todos-l10', { schemaVersion: todoListAggregate.schemaVersion, snapshotVersion: 0 });
      d.push((now() - t) / 20);
    }
    const section = 'loads: the 10-event stream alone in its own database';
    ctx.figures.push({ section, name: 'load 10 events, no snapshot', stats: stats(c), unit: 'ms' });
    ctx.figures.push({ section, name: '  raw driver, same queries', stats: stats(d), unit: 'ms' });
    ctx.figures.push({ section, name: '  Chronicle / raw driver', stats: stats(ratios(c, d)), unit: '×' });
  } finally {
    await ctx.drop(small.db);
  }
}

/**
 * What a load asks the server, sent with the raw driver and not decoded: the newest snapshots
 * together with either the events after a known snapshot version (`after`, a repository that has
 * loaded the stream before) or the newest commits, then (when those do not reach back to the
 * snapshot) the rest.
 */
async function driverLoad(db: Db, streamId: string, o: { schemaVersion: number; after?: number; snapshotVersion?: number }): Promise<void> {
  const snapshots = db.collection('snapshots').find({ streamId, schemaVersion: o.schemaVersion }, { sort: { version: -1 }, limit: 3 }).toArray();
  if (o.after !== undefined) {
    await Promise.all([snapshots, db.collection('events').find({ streamId, version: { $gt: o.after } }, { sort: { version: 1 } }).toArray()]);
    return;
  }
  const [, tail] = await Promise.all([snapshots, db.collection('events').find({ streamId }, { sort: { version: -1 }, limit: TAIL_COMMITS }).toArray()]);
  const oldest = tail.at(-1) as { prev?: number } | undefined;
  const from = Number(oldest?.prev ?? 0);
  const base = o.snapshotVersion ?? 0;
  if (from > base) {
    await db.collection('events').find({ streamId, version: { $gt: base }, prev: { $lt: from } }, { sort: { version: 1 } }).toArray();
  }
}
