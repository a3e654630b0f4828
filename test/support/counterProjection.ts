import { z } from 'zod';
import { defineProjection } from '../../src/projections/defineProjection.js';

/**
 * A test projection that makes double application visible: every document counts the events
 * applied to it (`applied`) and keeps a running sum. One event touches its account's document
 * and its bucket's; `Closed` deletes the account's document (a later deposit starts it over),
 * `Noise` touches nothing.
 */
export const counterProjection = (version = 1, opts: { name?: string; factor?: number } = {}) =>
  defineProjection<{ kind: string; sum: number; applied: number; lastPosition: number }, { type: string; data: { amount?: number; bucket?: number } }>({
    name: opts.name ?? 'counters',
    version,
    streamTypes: ['acct'],
    schema: z.strictObject({ kind: z.string(), sum: z.number(), applied: z.number().int().min(1), lastPosition: z.number().int() }),
    documentId: (e) => (e.type === 'Noise' ? null : [e.streamId, `bucket-${e.data.bucket ?? 0}`]),
    evolve(doc, e, id) {
      const isAccount = id.startsWith('acct-');
      if (isAccount && e.type === 'Closed') return null;
      const amount = (e.data.amount ?? 0) * (opts.factor ?? 1);
      return { kind: isAccount ? 'account' : 'bucket', sum: (doc?.sum ?? 0) + amount, applied: (doc?.applied ?? 0) + 1, lastPosition: e.position };
    },
  });

/** A random-ish workload for the counter projection: deposits, closings and noise over `accounts`. */
export function counterEvents(i: number, accounts: number) {
  const kind = i % 11 === 5 ? 'Closed' : i % 13 === 7 ? 'Noise' : 'Deposited';
  return { streamId: `acct-${(i * 7) % accounts}`, events: [{ type: kind, data: { amount: (i % 5) + 1, bucket: i % 3 } }, ...(i % 4 === 0 ? [{ type: 'Deposited', data: { amount: 10, bucket: (i + 1) % 3 } }] : [])] };
}
