import type { EventStoreInternals } from '../events/eventRepository.js';
import type { Logger } from '../logger.js';
import type { SnapshotRepository } from '../snapshots/types.js';
import { chooseBase, loadedFrom } from './lineage.js';
import { migratedBases } from './migrateState.js';
import type { AggregateDefinition, DomainEvent, LoadedAggregate } from './types.js';

/**
 * Loads many aggregates of one definition in two queries, whatever their number: their
 * snapshots, then the events from each newest snapshot's own commit on. A per-stream load costs
 * a query per stream; on FerretDB, where every query scans its collection, batching is what
 * keeps a snapshot job over thousands of streams linear. A stream that fails (a corrupt commit,
 * an event that does not fit, an id that cannot name a stream) maps to its error; the others load.
 *
 * Snapshots are chosen by the same rule as `load` (`chooseBase`): one ahead of its stream, off
 * a commit boundary, or built from a history that was rolled back is skipped, and that stream
 * alone is read again from an older snapshot or from the start. The events are read with
 * majority read concern (where the server has it): this is what the snapshot job snapshots, and
 * a snapshot must not bake in writes a failover could roll back.
 */
export async function loadMany<TState, TCommand, TEvent extends DomainEvent>(
  definition: AggregateDefinition<TState, TCommand, TEvent>,
  events: EventStoreInternals,
  snapshots: SnapshotRepository,
  logger: Logger,
  ids: string[],
  streamIdOf: (id: string) => string,
): Promise<Map<string, LoadedAggregate<TState> | Error>> {
  const out = new Map<string, LoadedAggregate<TState> | Error>();
  // An id that cannot name a stream (too long, empty) fails alone, as a corrupt stream does.
  const sids = new Map<string, string>();
  for (const id of ids) {
    try {
      sids.set(id, streamIdOf(id));
    } catch (err) {
      out.set(id, err as Error);
    }
  }
  const current = await snapshots.listMany([...sids.values()], { schemaVersion: definition.schemaVersion, limitPerStream: 3 });
  // After a schemaVersion bump: streams with no snapshot of the current schema may start from a
  // migrated older one, checked by the same lineage rule as any snapshot.
  const migrated = await migratedBases<TState>(definition, snapshots, [...sids.values()].filter((sid) => !current.get(sid)?.length), logger);
  const candidates = new Map([...sids.values()].map((sid) => [sid, current.get(sid)?.length ? (current.get(sid) ?? []) : [migrated.get(sid)].filter((m) => m !== undefined)]));
  // Read from the newest candidate's own commit, so its lineage is checked with this one read.
  const firstFrom = (sid: string) => Math.max(0, Math.max(0, ...(candidates.get(sid) ?? []).map((c) => c.version)) - 1);
  const tails = await events.readMany([...sids.values()].map((sid) => ({ streamId: sid, afterVersion: firstFrom(sid) })), { majority: true });
  // Only when a stream's newest snapshot is unusable: that stream's older events, also by majority.
  const readOlder = (sid: string) => async (after: number, to: number) => {
    const older = (await events.readMany([{ streamId: sid, afterVersion: after }], { majority: true })).get(sid);
    if (older?.error) throw older.error;
    return (older?.events ?? []).filter((e) => e.version <= to);
  };
  await Promise.all(
    [...sids].map(async ([id, sid]) => {
      const tail = tails.get(sid) ?? { events: [] };
      if (tail.error) {
        out.set(id, tail.error);
        return;
      }
      try {
        const chosen = await chooseBase(sid, definition.stateSchema, candidates.get(sid) ?? [], { from: firstFrom(sid), events: tail.events }, readOlder(sid), logger);
        out.set(id, loadedFrom(definition, id, chosen, tail.events, migrated.get(sid) ?? null));
      } catch (err) {
        out.set(id, err as Error);
      }
    }),
  );
  // In the order asked for, as before.
  return new Map(ids.filter((id) => out.has(id)).map((id) => [id, out.get(id) as LoadedAggregate<TState> | Error]));
}
