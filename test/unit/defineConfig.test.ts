import { describe, expect, it } from 'vitest';
import { defineConfig } from '../../src/index.js';
import { todoListAggregate, userAggregate, userAggregateV2 } from '../../src/domain/index.js';
import { ConfigError } from '../../src/errors.js';

describe('defineConfig', () => {
  it('returns the config it was given', () => {
    const config = { aggregates: [userAggregate, todoListAggregate], snapshots: { threshold: 50, schedule: '30s' } };
    expect(defineConfig(config)).toBe(config);
  });

  it.each([
    [{ aggregates: [] }, /aggregates: must name at least one aggregate/],
    [{ aggregates: [userAggregate, userAggregateV2] }, /aggregates\.1\.type: two aggregates have type "user"/],
    [{ aggregates: [userAggregate], snapshots: { threshold: 0, keep: 2.5 } }, /snapshots\.threshold: must be at least 1\n {2}snapshots\.keep: must be a whole number/],
    [{ aggregates: [userAggregate], snapshots: { schedule: '@hourly' } }, /snapshots\.schedule: must be a cron expression like "\*\/5 \* \* \* \*" or an interval/],
    [{ aggregates: [userAggregate], snapshots: { schedule: '99 * * * *' } }, /snapshots\.schedule: schedule "99 \* \* \* \*" is neither an interval/],
    [{ aggregates: [userAggregate], snapshot: {} }, /unknown key\(s\) snapshot; known: aggregates, projections, snapshots/],
    [{ aggregates: [userAggregate], snapshots: { treshold: 5 } }, /snapshots: unknown setting\(s\) treshold; known: threshold, schedule/],
    [{ aggregates: [userAggregate], projections: [{ name: 'a' }, { name: 'a' }] }, /projections\.1\.name: two projections are named "a"/],
  ])('refuses a malformed config with a ConfigError naming the path (%#)', (config, message) => {
    expect(() => defineConfig(config as never)).toThrow(ConfigError);
    expect(() => defineConfig(config as never)).toThrow(message);
  });
});
