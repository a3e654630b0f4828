import { describe, expect, it } from 'vitest';
import { loadConfig, parseInterval } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

describe('loadConfig', () => {
  it('uses the defaults from config/ when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      mongodbUri: undefined,
      dbName: 'chronicle',
      snapshotThreshold: 100,
      snapshotSchedule: '*/5 * * * *',
      snapshotConcurrency: 4,
      snapshotKeep: 3,
      logLevel: 'info',
      logFormat: 'auto',
    });
  });

  it('reads good values from the environment', () => {
    const cfg = loadConfig({
      MONGODB_URI: 'mongodb://localhost:27017/?replicaSet=rs0',
      CHRONICLE_DB: 'shop_events',
      CHRONICLE_SNAPSHOT_THRESHOLD: '250',
      CHRONICLE_SNAPSHOT_SCHEDULE: '30s',
      CHRONICLE_SNAPSHOT_CONCURRENCY: ' 8 ',
      CHRONICLE_SNAPSHOT_KEEP: '5',
      CHRONICLE_LOG_LEVEL: 'debug',
    });
    expect(cfg).toMatchObject({ dbName: 'shop_events', snapshotThreshold: 250, snapshotSchedule: '30s', snapshotConcurrency: 8, snapshotKeep: 5, logLevel: 'debug' });
    expect(loadConfig({ CHRONICLE_SNAPSHOT_SCHEDULE: '0 */2 * * *' }).snapshotSchedule).toBe('0 */2 * * *');
  });

  it.each([
    ['CHRONICLE_SNAPSHOT_THRESHOLD', 'lots', /CHRONICLE_SNAPSHOT_THRESHOLD="lots": must be a number/],
    ['CHRONICLE_SNAPSHOT_THRESHOLD', '0', /must be at least 1/],
    ['CHRONICLE_SNAPSHOT_CONCURRENCY', '2.5', /CHRONICLE_SNAPSHOT_CONCURRENCY="2.5": must be a whole number/],
    ['CHRONICLE_SNAPSHOT_SCHEDULE', 'every day', /must be a cron expression/],
    ['CHRONICLE_LOG_LEVEL', 'loud', /must be one of fatal, error, warn, info, debug, trace, silent/],
    ['CHRONICLE_LOG_FORMAT', 'fancy', /CHRONICLE_LOG_FORMAT="fancy": must be one of auto, pretty, json/],
    ['CHRONICLE_DB', 'bad.name', /CHRONICLE_DB="bad.name": must be 1-63 letters/],
    ['MONGODB_URI', 'http://localhost', /MONGODB_URI=http:\/\/localhost: must start with mongodb:\/\//],
  ])('rejects %s=%s naming the variable and what is allowed', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ CHRONICLE_LOG_LEVEL: 'x', CHRONICLE_SNAPSHOT_KEEP: '-1' })).toThrow(/CHRONICLE_SNAPSHOT_KEEP[\s\S]*CHRONICLE_LOG_LEVEL/);
  });

  it('never shows the URI password in errors', () => {
    try {
      loadConfig({ MONGODB_URI: 'mongodb://admin:hunter2@db', CHRONICLE_LOG_LEVEL: 'nope' });
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('hunter2');
    }
    expect(() => loadConfig({ MONGODB_URI: 'mongodb://admin:hunter2@db' })).not.toThrow();
  });
});

describe('parseInterval', () => {
  it('parses intervals and returns null for cron', () => {
    expect(parseInterval('30s')).toBe(30_000);
    expect(parseInterval('5m')).toBe(300_000);
    expect(parseInterval('250ms')).toBe(250);
    expect(parseInterval('*/5 * * * *')).toBeNull();
  });
});
