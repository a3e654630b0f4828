import type { AnyAggregateDefinition } from './types.js';

/**
 * The schema version appends store for an event type: 1 plus the number of upcaster steps the
 * definition declares for it (version n's upcaster turns n into n+1).
 */
export function currentEventVersion(def: AnyAggregateDefinition, eventType: string): number {
  const steps = (def as { upcasters?: Record<string, Record<string, unknown> | undefined> }).upcasters?.[eventType];
  return 1 + (steps ? Object.keys(steps).length : 0);
}
