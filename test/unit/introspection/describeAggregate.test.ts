import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAggregate } from '../../../src/aggregates/defineAggregate.js';
import { userAggregate } from '../../../src/domain/index.js';
import { describeAggregate, fieldsText } from '../../../src/introspection/describeAggregate.js';

describe('describeAggregate', () => {
  it('lists commands without their discriminator and events with their current schema version', () => {
    const d = describeAggregate(userAggregate);
    expect(d).toMatchObject({ type: 'user', schemaVersion: 1, streamIdPattern: 'user-<id>' });
    expect(d.commands.map((c) => c.name)).toEqual(['CreateUser', 'UpdateUser', 'SetCookies', 'DeleteUser']);
    expect(d.commands[0]?.fields).toMatchObject({ type: 'object', required: ['name', 'email'], properties: { email: { type: 'string', format: 'email' } } });
    expect(d.commands[0]?.fields.properties).not.toHaveProperty('type');
    expect(d.events.map((e) => [e.name, e.schemaVersion])).toEqual([['UserCreated', 1], ['UserUpdated', 1], ['CookiesSet', 1], ['UserDeleted', 1]]);
  });

  it('shows upcast event types at their current version, and types JSON Schema cannot express as any', () => {
    const def = defineAggregate({
      type: 'shelf',
      schemaVersion: 1,
      stateSchema: z.object({}),
      commandSchema: z.object({ type: z.literal('Stock'), at: z.date(), tags: z.array(z.string()), kind: z.enum(['a', 'b']) }),
      eventSchemas: { Stocked: z.object({ at: z.date(), count: z.bigint() }) },
      upcasters: { Stocked: { 1: (d: object) => d, 2: (d: object) => d } },
      initialState: () => ({}),
      evolve: (s) => s,
      decide: () => [],
    });
    const d = describeAggregate(def);
    expect(d.events).toEqual([{ name: 'Stocked', schemaVersion: 3, fields: expect.objectContaining({ properties: { at: {}, count: {} } }) }]);
    expect(fieldsText(d.commands[0]?.fields ?? {})).toBe('at: any, tags: string[], kind: "a" | "b"');
  });
});
