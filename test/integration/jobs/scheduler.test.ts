import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { createSnapshotScheduler, parseSchedule } from '../../../src/jobs/scheduler.js';
import { useChronicle } from '../../support/chronicleFixture.js';
import { addEvents, counterAggregate, instrument, recordingLogger, sleep } from '../../support/snapshotJobHelpers.js';

const t = useChronicle(import.meta.filename);

describe('snapshot scheduler', () => {
  it('parses intervals and cron expressions, and refuses anything else', () => {
    expect(parseSchedule('250ms')).toBe(250);
    expect(parseSchedule('30s')).toBe(30_000);
    expect(parseSchedule('*/5 * * * *')).toBeNull();
    expect(parseSchedule('*/10 * * * * *')).toBeNull();
    for (const bad of ['0s', 'soon', '61 * * * *', '* * *']) expect(() => parseSchedule(bad), bad).toThrow(ConfigError);
  });

  it('never overlaps itself: ticks that come during a run are skipped and logged', async () => {
    // A stream that always fails is retried, hence loaded, by every run: each run takes >= 150 ms.
    await addEvents(t.chronicle, 'slow-1', 5, { boomAt: 2 });
    const { chronicle, stats } = instrument(t.chronicle, 150);
    const logger = recordingLogger();
    let runsInFlight = 0;
    let maxRunsInFlight = 0;
    const trackingLogger = {
      ...logger,
      info(obj: object | string, msg?: string) {
        if (msg === 'snapshot job started') maxRunsInFlight = Math.max(maxRunsInFlight, ++runsInFlight);
        logger.info(obj, msg);
      },
      warn(obj: object | string, msg?: string) {
        if (msg?.startsWith('snapshot job finished')) runsInFlight -= 1;
        logger.warn(obj, msg);
      },
    };
    const scheduler = createSnapshotScheduler(chronicle, {
      schedule: '40ms',
      job: { aggregates: [counterAggregate('slow')], threshold: 5, concurrency: 2, overlapMs: 0 },
      logger: trackingLogger,
    });
    await sleep(1_000);
    await scheduler.stop();
    const msgs = logger.lines.map((l) => l.msg);
    const started = msgs.filter((m) => m === 'snapshot job started').length;
    expect(started).toBeGreaterThanOrEqual(2);
    expect(msgs.filter((m) => m === 'snapshot job still running; skipping this tick').length).toBeGreaterThanOrEqual(3);
    expect(maxRunsInFlight).toBe(1);
    expect(stats.maxInFlight).toBe(1);
    const finished = logger.lines.filter((l) => l.msg.startsWith('snapshot job finished'));
    expect(finished[0]?.obj).toMatchObject({ failed: 1, snapshotsWritten: 0 });
  });

  it('stops cleanly: aborts the in-flight run, waits for it, and never ticks again', async () => {
    for (let i = 0; i < 10; i++) await addEvents(t.chronicle, `stop-${i}`, 5, { perCommit: 5 });
    const { chronicle, stats } = instrument(t.chronicle, 100);
    const logger = recordingLogger();
    const reports: unknown[] = [];
    const scheduler = createSnapshotScheduler(chronicle, {
      schedule: '50ms',
      job: { aggregates: [counterAggregate('stop')], threshold: 5, concurrency: 2 },
      logger,
      onReport: (r) => reports.push(r),
    });
    const first = scheduler.runNow();
    await sleep(150);
    expect(scheduler.running).toBe(true);
    const t0 = Date.now();
    await scheduler.stop({ timeoutMs: 5_000 });
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(await first).toBeNull();
    expect(stats.inFlight).toBe(0);
    expect(scheduler.running).toBe(false);
    expect(scheduler.nextRun()).toBeNull();
    expect(logger.lines.some((l) => l.msg === 'snapshot job aborted')).toBe(true);
    expect(reports).toEqual([]);
    const loads = stats.loads;
    expect(loads).toBeLessThan(10);
    await sleep(200);
    expect(stats.loads).toBe(loads);
    expect(await scheduler.runNow()).toBeNull();
    await scheduler.stop(); // a second stop is harmless
  });

  it('gives up waiting after timeoutMs when the in-flight work does not finish', async () => {
    await addEvents(t.chronicle, 'hang-1', 5);
    const { chronicle } = instrument(t.chronicle, 800);
    const logger = recordingLogger();
    const scheduler = createSnapshotScheduler(chronicle, {
      schedule: '1h',
      job: { aggregates: [counterAggregate('hang')], threshold: 5, concurrency: 1 },
      logger,
    });
    const run = scheduler.runNow();
    await sleep(100);
    const t0 = Date.now();
    await scheduler.stop({ timeoutMs: 150 });
    expect(Date.now() - t0).toBeLessThan(600);
    expect(logger.lines.some((l) => l.level === 'warn' && l.msg.startsWith('stopped waiting'))).toBe(true);
    expect(await run).toBeNull(); // the run still settles, as aborted
  });

  it('runs on a cron expression through croner and logs each report', async () => {
    await addEvents(t.chronicle, 'cron-1', 3);
    const logger = recordingLogger();
    const reports: { snapshotsWritten: number }[] = [];
    const scheduler = createSnapshotScheduler(t.chronicle, {
      schedule: '* * * * * *',
      job: { aggregates: [counterAggregate('cron')], threshold: 3, concurrency: 1 },
      logger,
      onReport: (r) => reports.push(r),
    });
    expect(scheduler.nextRun()?.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    for (let i = 0; i < 40 && reports.length === 0; i++) await sleep(100);
    await scheduler.stop();
    expect(reports[0]).toMatchObject({ snapshotsWritten: 1 });
    expect(logger.lines.find((l) => l.msg === 'snapshot job finished')?.obj).toMatchObject({ snapshotsWritten: 1, streamsScanned: 1 });
  });
});
