import type { EventStoreInternals } from '../events/eventRepository.js';
import type { Logger } from '../logger.js';
import type { SnapshotRepository } from '../snapshots/types.js';
import { pickSnapshot, replayEvents } from './replay.js';
import type { AggregateDefinition, DomainEvent, LoadedAggregate } from './types.js';

/**
 * Loads many aggregates of one definition in two queries, whatever their number: their
 * snapshots, then the events after each chosen snapshot. A per-stream load costs a query per
 * stream; on FerretDB, where every query scans its collection, batching is what keeps a
 * snapshot job over thousands of streams linear. A stream that fails (a corrupt commit, an
 * event that does not fit) maps to its error; the others load.
 *
 * Unlike `load`, a snapshot ahead of its stream cannot be noticed here (the events after it
 * are simply none): such a snapshot only arises from a hand-edited document.
 */
export async function loadMany<TState, TCommand, TEvent extends DomainEvent>(
  definition: AggregateDefinition<TState, TCommand, TEvent>,
  events: EventStoreInternals,
  snapshots: SnapshotRepository,
  logger: Logger,
  ids: string[],
  streamIdOf: (id: string) => string,
): Promise<Map<string, LoadedAggregate<TState> | Error>> {
  const sids = new Map(ids.map((id) => [id, streamIdOf(id)]));
  const candidates = await snapshots.listMany([...sids.values()], { schemaVersion: definition.schemaVersion, limitPerStream: 3 });
  const bases = new Map([...sids].map(([id, sid]) => [id, pickSnapshot(definition.stateSchema, candidates.get(sid) ?? [], null, logger)]));
  const tails = await events.readMany([...sids].map(([id, sid]) => ({ streamId: sid, afterVersion: bases.get(id)?.version ?? 0 })));
  const out = new Map<string, LoadedAggregate<TState> | Error>();
  for (const [id, sid] of sids) {
    const base = bases.get(id) ?? null;
    const tail = tails.get(sid) ?? { events: [] };
    if (tail.error) {
      out.set(id, tail.error);
      continue;
    }
    try {
      const state = replayEvents(definition, base ? base.state : definition.initialState(), tail.events);
      const from = base?.version ?? 0;
      out.set(id, { id, state, version: tail.events.at(-1)?.version ?? from, snapshotVersion: base?.version ?? null, eventsReplayed: tail.events.length, position: tail.events.at(-1)?.position ?? null });
    } catch (err) {
      out.set(id, err as Error);
    }
  }
  return out;
}
