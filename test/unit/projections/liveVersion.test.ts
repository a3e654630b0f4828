import { describe, expect, it } from 'vitest';
import { liveVersionOf, statusOf } from '../../../src/projections/projectionHandle.js';
import type { CheckpointRecord } from '../../../src/projections/projectionStore.js';

const rec = (version: number, extra: Partial<CheckpointRecord> = {}): CheckpointRecord => ({
  _id: `p@${version}`,
  name: 'p',
  version,
  collection: `p_v${version}`,
  position: 10 * version,
  status: 'catching-up',
  updatedAt: new Date(0),
  ...extra,
});
const def = (version: number) => ({ name: 'p', version }) as never;

describe('which version readers use', () => {
  it('the newest version up to the definition that caught up, never a half-built one', () => {
    const v1 = rec(1, { status: 'live', liveSince: new Date(1) });
    const v2 = rec(2);
    expect(liveVersionOf([v1, v2], def(2)).record).toBe(v1);
    const v2live = rec(2, { status: 'live', liveSince: new Date(2) });
    const v1retired = rec(1, { status: 'retired', liveSince: new Date(1) });
    expect(liveVersionOf([v1retired, v2live], def(2)).record).toBe(v2live);
    // Old code (v1) keeps reading v1 while it exists, not a newer shape it does not know.
    expect(liveVersionOf([v1retired, v2live], def(1)).record).toBe(v1retired);
    // Nothing caught up yet: its own version (there is nothing better).
    expect(liveVersionOf([v2], def(2))).toEqual({ version: 2, record: v2 });
    expect(liveVersionOf([rec(1, { liveSince: new Date(1), dropped: true })], def(1)).record?.dropped).toBe(true);
  });

  it('status: lag from the head, error only when failed, defaults before the first batch', () => {
    expect(statusOf(def(3), null, 42)).toMatchObject({ name: 'p', version: 3, position: 0, head: 42, lag: 42, state: 'catching-up', collection: 'p_v3', liveSince: null });
    const failed = rec(1, { status: 'failed', error: { message: 'bad', at: null } });
    expect(statusOf(def(1), failed, 5)).toMatchObject({ position: 10, lag: 0, state: 'failed', error: { message: 'bad' } });
    expect(statusOf(def(1), rec(1, { error: { message: 'old', at: null } }), 20)).not.toHaveProperty('error');
  });
});
