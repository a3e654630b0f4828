import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ValidationError } from '../../src/errors.js';
import { parseInput, parseStreamId } from '../../src/validation.js';

describe('parseInput messages', () => {
  it('names the input once, then each problem with its path', () => {
    expect(() => parseStreamId('')).toThrow(/^invalid streamId: must not be empty$/);
    const schema = z.strictObject({ afterVersion: z.number().min(0, { error: 'must not be negative' }) });
    const err = (() => {
      try {
        parseInput(schema, { afterVersion: -1 }, 'read options');
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error('expected a ValidationError');
    })();
    expect(err.message).toBe('invalid read options: afterVersion: must not be negative');
    expect(err.issues).toEqual([{ path: ['afterVersion'], message: 'must not be negative' }]);
    const list = z.array(z.strictObject({ type: z.string({ error: 'must be a string' }) }));
    expect(() => parseInput(list, [{ type: 'a' }, { type: 7 }], 'events')).toThrow(/^invalid events: \[1\]\.type: must be a string$/);
  });
});
