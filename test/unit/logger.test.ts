import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chooseLogFormat, createLogger } from '../../src/logger.js';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('chooseLogFormat', () => {
  it.each([
    [undefined, true, 'pretty'],
    [undefined, false, 'json'],
    [undefined, undefined, 'json'],
    ['auto', true, 'pretty'],
    ['auto', false, 'json'],
    ['json', true, 'json'],
    ['pretty', false, 'pretty'],
  ] as const)('setting %s with a TTY %s → %s', (setting, tty, expected) => {
    expect(chooseLogFormat(setting, tty)).toBe(expected);
  });
});

describe('createLogger', () => {
  it('writes one JSON object per line by default', async () => {
    const out = capture();
    const logger = createLogger('info', { destination: out.stream });
    logger.info({ streamId: 'user-1', written: 3 }, 'snapshot job finished');
    logger.debug('not at info level');
    await new Promise((r) => setImmediate(r));
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 30, name: 'chronicle', msg: 'snapshot job finished', streamId: 'user-1', written: 3 });
  });

  it('writes readable lines with the fields after the message in pretty format', async () => {
    const out = capture();
    const logger = createLogger('info', { format: 'pretty', destination: out.stream, colorize: false });
    logger.warn({ streamId: 'user-1' }, 'ignoring a snapshot');
    logger.info('done');
    await new Promise((r) => setImmediate(r));
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: ignoring a snapshot \{"streamId":"user-1"\}$/);
    expect(lines[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: done$/);
    expect(out.text()).not.toContain('"level"');
  });
});
