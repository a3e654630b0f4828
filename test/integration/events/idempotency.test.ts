import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { useChronicle } from '../../support/chronicleFixture.js';

const t = useChronicle(import.meta.filename);
const commits = (streamId: string) => t.db.collection('events').countDocuments({ streamId });

describe('commitId identity (what makes a retry the same append)', () => {
  it('recognises a retry whose payload has the same fields in another order, at any depth', async () => {
    const first = await t.chronicle.events.append('order-1', [{ type: 'A', data: { x: 1, y: { b: [{ q: 1, p: 2 }], a: 2 } } }], { expectedVersion: 0, commitId: 'c-order' });
    const retry = await t.chronicle.events.append('order-1', [{ type: 'A', data: { y: { a: 2, b: [{ p: 2, q: 1 }] }, x: 1 } }], { expectedVersion: 0, commitId: 'c-order' });
    expect(retry).toEqual(first);
    expect(await commits('order-1')).toBe(1);
  });

  it('still tells different payloads apart: array order and values count', async () => {
    await t.chronicle.events.append('order-2', [{ type: 'A', data: { list: [1, 2] } }], { expectedVersion: 0, commitId: 'c-order-2' });
    await expect(t.chronicle.events.append('order-2', [{ type: 'A', data: { list: [2, 1] } }], { expectedVersion: 0, commitId: 'c-order-2' })).rejects.toThrow(ValidationError);
    await expect(t.chronicle.events.append('order-2', [{ type: 'A', data: { list: [1, 2], more: true } }], { expectedVersion: 0, commitId: 'c-order-2' })).rejects.toThrow(/already used for a different append/);
  });

  it('refuses a retry with other metadata or another streamType: both are part of the append', async () => {
    const first = await t.chronicle.events.append('meta-1', [{ type: 'A', data: { x: 1 } }], { expectedVersion: 0, commitId: 'c-meta', metadata: { actor: 'alice', correlationId: 'r1' } });
    // Same metadata with its fields in another order is the same append.
    expect(await t.chronicle.events.append('meta-1', [{ type: 'A', data: { x: 1 } }], { expectedVersion: 0, commitId: 'c-meta', metadata: { correlationId: 'r1', actor: 'alice' } })).toEqual(first);
    const otherActor = await t.chronicle.events.append('meta-1', [{ type: 'A', data: { x: 1 } }], { expectedVersion: 0, commitId: 'c-meta', metadata: { actor: 'mallory', correlationId: 'r1' } }).catch((e: unknown) => e);
    expect(otherActor).toBeInstanceOf(ValidationError);
    expect(String(otherActor)).toMatch(/\(other metadata;/);
    await expect(t.chronicle.events.append('meta-1', [{ type: 'A', data: { x: 1 } }], { expectedVersion: 0, commitId: 'c-meta' })).rejects.toThrow(/\(other metadata;/);
    await expect(t.chronicle.events.append('meta-1', [{ type: 'A', data: { x: 1 } }], { expectedVersion: 0, commitId: 'c-meta', metadata: { actor: 'alice', correlationId: 'r1' }, streamType: 'other' })).rejects.toThrow(/\(streamType "meta";/);
    expect(await commits('meta-1')).toBe(1);
    expect((await t.chronicle.events.read('meta-1'))[0]?.metadata).toEqual({ actor: 'alice', correlationId: 'r1' });
  });
});
