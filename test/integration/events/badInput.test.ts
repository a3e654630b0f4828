import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);
const ok = [{ type: 'A', data: { n: 1 } }];

async function snapshotOfDb() {
  const events = await t.db.collection('events').find({}).sort({ _id: 1 }).toArray();
  const snapshots = await t.db.collection('snapshots').find({}).sort({ _id: 1 }).toArray();
  return JSON.stringify({ events, snapshots });
}

describe('bad input gets a typed error and leaves the database unchanged', () => {
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['operator-shaped stream id', () => t.chronicle.events.append({ $gt: '' } as never, ok, { expectedVersion: 0 }), /streamId: must be a string/],
    ['empty stream id', () => t.chronicle.events.append('', ok, { expectedVersion: 0 }), /streamId: must not be empty/],
    ['overlong stream id', () => t.chronicle.events.append('s'.repeat(300), ok, { expectedVersion: 0 }), /at most 256/],
    ['no events', () => t.chronicle.events.append('bad-1', [], { expectedVersion: 0 }), /at least one event/],
    ['events not an array', () => t.chronicle.events.append('bad-1', { type: 'A' } as never, { expectedVersion: 0 }), /events/],
    ['event type not a string', () => t.chronicle.events.append('bad-1', [{ type: 7, data: {} }] as never, { expectedVersion: 0 }), /invalid events: \[0\]\.type: must be a string/],
    ['empty event type', () => t.chronicle.events.append('bad-1', [{ type: '', data: {} }], { expectedVersion: 0 }), /invalid events: \[0\]\.type: must not be empty/],
    ['negative expectedVersion', () => t.chronicle.events.append('bad-1', ok, { expectedVersion: -1 }), /expectedVersion/],
    ['fractional expectedVersion', () => t.chronicle.events.append('bad-1', ok, { expectedVersion: 1.5 }), /expectedVersion/],
    ['string expectedVersion', () => t.chronicle.events.append('bad-1', ok, { expectedVersion: '3' as never }), /expectedVersion/],
    ['missing options', () => t.chronicle.events.append('bad-1', ok, undefined as never), /options/],
    ['$-key in payload', () => t.chronicle.events.append('bad-1', [{ type: 'A', data: { filter: { $where: 'x' } } }], { expectedVersion: 0 }), /events\[0\]\.data.*\$where/],
    ['dotted key in payload', () => t.chronicle.events.append('bad-1', [{ type: 'A', data: { 'a.b': 1 } }], { expectedVersion: 0 }), /a\.b/],
    ['unknown metadata field', () => t.chronicle.events.append('bad-1', ok, { expectedVersion: 0, metadata: { $set: 1 } as never }), /metadata/],
    ['operator-shaped commitId', () => t.chronicle.events.append('bad-1', ok, { expectedVersion: 0, commitId: { $ne: null } as never }), /commitId/],
    ['oversized batch', () => t.chronicle.events.append('bad-1', Array.from({ length: 14 }, () => ({ type: 'Big', data: { blob: 'x'.repeat(1024 * 1024) } })), { expectedVersion: 0 }), /is 1\d{7} bytes as a document; the limit is 12582912 bytes/],
    ['too many events', () => t.chronicle.events.append('bad-1', Array.from({ length: 10_001 }, () => ({ type: 'A', data: {} })), { expectedVersion: 0 }), /at most 10000 events/],
    ['operator-shaped id on read', () => t.chronicle.events.read({ $gt: '' } as never), /streamId/],
    ['operator-shaped id on version', () => t.chronicle.events.version({ $ne: 'x' } as never), /streamId/],
    ['bad read range', () => t.chronicle.events.read('bad-1', { afterVersion: -2 }), /afterVersion/],
    ['unknown read option', () => t.chronicle.events.read('bad-1', { after: 2 } as never), /read options/],
    ['snapshot with operator id', () => t.chronicle.snapshots.save({ streamId: { $gt: '' } as never, version: 1, schemaVersion: 1, state: {} }), /streamId/],
    ['snapshot with $-key state', () => t.chronicle.snapshots.save({ streamId: 'bad-1', version: 1, schemaVersion: 1, state: { $inc: 1 } }), /\$inc/],
    ['snapshot with bad schemaVersion', () => t.chronicle.snapshots.save({ streamId: 'bad-1', version: 1, schemaVersion: 0, state: {} }), /schemaVersion/],
    ['latest with operator id', () => t.chronicle.snapshots.latest({ $gt: '' } as never), /streamId/],
  ];

  it.each(cases)('%s', async (_name, call, message) => {
    await t.chronicle.events.append('bad-existing', ok, { expectedVersion: 'any' });
    const before = await snapshotOfDb();
    const err = await call().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('VALIDATION');
    expect((err as Error).message).toMatch(message);
    expect(await snapshotOfDb()).toBe(before);
  });
});
