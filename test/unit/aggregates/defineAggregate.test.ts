import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineAggregate } from '../../../src/aggregates/defineAggregate.js';
import type { CommandOf, EventOf, StateOf } from '../../../src/aggregates/types.js';
import { validateCommand, validateEvent, validateState } from '../../../src/aggregates/validation.js';
import { todoListAggregate } from '../../../src/domain/index.js';
import { ValidationError } from '../../../src/errors.js';

type CounterEvent = { type: 'Added'; data: { amount: number } } | { type: 'WasReset'; data: object };

const base = {
  type: 'counter',
  schemaVersion: 1,
  stateSchema: z.object({ value: z.number() }),
  commandSchema: z.discriminatedUnion('type', [
    z.object({ type: z.literal('Add'), amount: z.number() }),
    z.object({ type: z.literal('Reset') }),
  ]),
  eventSchemas: { Added: z.object({ amount: z.number() }), WasReset: z.object({}) },
  initialState: () => ({ value: 0 }),
  evolve: (state: { value: number }, event: CounterEvent) =>
    event.type === 'Added' ? { value: state.value + event.data.amount } : { value: 0 },
  decide: () => [],
};

function thrownBy(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('defineAggregate', () => {
  it('returns a frozen definition carrying everything it was given', () => {
    const definition = defineAggregate(base);
    expect(definition).toMatchObject({ type: 'counter', schemaVersion: 1 });
    expect(definition.eventSchemas).toBe(base.eventSchemas);
    expect(definition.initialState()).toEqual({ value: 0 });
    expect(Object.isFrozen(definition)).toBe(true);
  });

  it.each(['', 'Todos', 'to-dos', '1todos', '_x', 'todo list', 'todos.v2'])('rejects the type %j', (type) => {
    const error = thrownBy(() => defineAggregate({ ...base, type }));
    expect(error.issues[0]?.path).toEqual(['type']);
    expect(error.message).toMatch(/must match/);
  });

  it.each(['todos', 'user', 'todoList', 'todo_list2'])('accepts the type %j', (type) => {
    expect(defineAggregate({ ...base, type }).type).toBe(type);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1' as unknown as number])(
    'rejects schemaVersion %j',
    (schemaVersion) => {
      const error = thrownBy(() => defineAggregate({ ...base, schemaVersion }));
      expect(error.issues[0]?.path).toEqual(['schemaVersion']);
    },
  );

  it('rejects an empty eventSchemas and a non-schema', () => {
    expect(thrownBy(() => defineAggregate({ ...base, eventSchemas: {} })).message).toMatch(/at least one event type/);
    const notASchema = { Added: { parse: () => 1 } } as unknown as typeof base.eventSchemas;
    expect(thrownBy(() => defineAggregate({ ...base, eventSchemas: notASchema })).issues[0]?.path).toEqual([
      'eventSchemas',
      'Added',
    ]);
  });

  it('rejects an initialState that fails stateSchema', () => {
    const initialState = () => ({ value: 'zero' as unknown as number });
    const error = thrownBy(() => defineAggregate({ ...base, initialState }));
    expect(error.message).toMatch(/initialState\(\) does not match stateSchema: initialState\.value: /);
    expect(error.issues[0]?.path).toEqual(['initialState', 'value']);
  });

  it('infers State, Command and Event from the schemas', () => {
    type D = typeof todoListAggregate;
    expectTypeOf<StateOf<D>>().toEqualTypeOf<{ todos: { todoId: string; text: string; completed: boolean }[] }>();
    expectTypeOf<CommandOf<D>['type']>().toEqualTypeOf<
      'CreateTodo' | 'ChangeTodoText' | 'ChangeTodoCompleted' | 'DeleteTodo' | 'ClearDone'
    >();
    expectTypeOf<EventOf<D>['type']>().toEqualTypeOf<
      'TodoCreated' | 'TodoTextChanged' | 'TodoCompletedChanged' | 'TodoDeleted' | 'DoneCleared'
    >();
    expectTypeOf<Extract<EventOf<D>, { type: 'DoneCleared' }>['data']>().toEqualTypeOf<{ todoIds: string[] }>();
  });
});

describe('validateCommand', () => {
  it('returns the parsed command', () => {
    expect(validateCommand(todoListAggregate, { type: 'CreateTodo', todoId: 'a', text: ' milk ' })).toEqual({
      type: 'CreateTodo',
      todoId: 'a',
      text: 'milk',
    });
  });

  it('throws a readable ValidationError with every issue', () => {
    const error = thrownBy(() => validateCommand(todoListAggregate, { type: 'CreateTodo', todoId: '', text: 5 }));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/^invalid command for aggregate "todos":/);
    expect(error.message).toMatch(/→ at todoId/);
    expect(error.issues.map((issue) => issue.path)).toEqual([['todoId'], ['text']]);
    for (const issue of error.issues) expect(issue.message).toEqual(expect.any(String));
  });

  it('names the discriminator for an unknown command type', () => {
    expect(thrownBy(() => validateCommand(todoListAggregate, { type: 'Nope' })).issues[0]?.path).toEqual(['type']);
    expect(thrownBy(() => validateCommand(todoListAggregate, null)).issues).toHaveLength(1);
  });
});

describe('validateEvent', () => {
  it('returns the parsed data', () => {
    expect(validateEvent(todoListAggregate, { type: 'TodoDeleted', data: { todoId: 'a' } })).toEqual({ todoId: 'a' });
  });

  it('rejects an unknown type, even one inherited from Object', () => {
    for (const type of ['TodoArchived', 'toString', '__proto__', 'constructor']) {
      const error = thrownBy(() => validateEvent(todoListAggregate, { type, data: {} }));
      expect(error.message).toContain(`unknown event type "${type}"`);
      expect(error.issues[0]?.path).toEqual(['type']);
    }
    expect(thrownBy(() => validateEvent(todoListAggregate, { type: 7 } as never)).issues[0]?.path).toEqual(['type']);
  });

  it('rejects invalid data with paths under data', () => {
    const event = { type: 'DoneCleared', data: { todoIds: ['a', 3] } };
    const error = thrownBy(() => validateEvent(todoListAggregate, event));
    expect(error.issues[0]?.path).toEqual(['data', 'todoIds', 1]);
  });
});

describe('validateState', () => {
  it('accepts a valid state and rejects another shape', () => {
    expect(validateState(todoListAggregate, { todos: [] })).toEqual({ todos: [] });
    expect(thrownBy(() => validateState(todoListAggregate, { items: [] })).message).toMatch(/schemaVersion 1/);
  });
});
