import { describe, expect, it } from 'vitest';
import { commandCommitId } from '../../../src/aggregates/commandCommitId.js';

describe('commandCommitId', () => {
  it('is a version-5 UUID determined by (aggregate type, id, commandId) alone', () => {
    const id = commandCommitId('todos', '7', 'req-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(commandCommitId('todos', '7', 'req-1')).toBe(id);
    const others = [commandCommitId('todos', '7', 'req-2'), commandCommitId('todos', '8', 'req-1'), commandCommitId('user', '7', 'req-1'), commandCommitId('todos', '7-req', '1')];
    expect(new Set([id, ...others]).size).toBe(5);
  });
});
