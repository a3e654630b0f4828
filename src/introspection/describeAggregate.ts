import { z } from 'zod';
import type { AnyAggregateDefinition } from '../aggregates/types.js';
import { currentEventVersion } from '../aggregates/upcast.js';

/** A JSON Schema (draft 2020-12) object, as `z.toJSONSchema` produces it. */
export type JsonSchema = Record<string, unknown>;

/** One command or event of an aggregate, with its payload fields as JSON Schema. */
export interface MessageDescription {
  name: string;
  /** The payload's JSON Schema; for commands without the `type` discriminator. */
  fields: JsonSchema;
}

/** What `chronicle aggregates --json` prints per aggregate. */
export interface AggregateDescription {
  type: string;
  /** The state's shape version (`schemaVersion` of the definition). */
  schemaVersion: number;
  streamIdPattern: string;
  commands: MessageDescription[];
  events: (MessageDescription & { schemaVersion: number })[];
}

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // Dates, Maps and bigints have no JSON Schema; they show as "any" instead of failing the listing.
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function literalType(variant: JsonSchema): string | null {
  const type = (variant.properties as Record<string, JsonSchema> | undefined)?.type;
  if (typeof type?.const === 'string') return type.const;
  if (Array.isArray(type?.enum) && type.enum.length === 1 && typeof type.enum[0] === 'string') return type.enum[0];
  return null;
}

/** Splits a command schema (usually a union discriminated by `type`) into one entry per command. */
function describeCommands(schema: z.ZodType): MessageDescription[] {
  const json = toJsonSchema(schema, 'input');
  const variants = (json.oneOf ?? json.anyOf ?? [json]) as JsonSchema[];
  const named = variants.map((v) => ({ v, name: literalType(v) }));
  // Anything else (a hand-written schema without a literal `type`) is shown whole.
  if (named.some((n) => n.name === null)) return [{ name: '*', fields: json }];
  return named.map(({ v, name }) => {
    const { type: _type, ...properties } = (v.properties ?? {}) as Record<string, JsonSchema>;
    const required = Array.isArray(v.required) ? (v.required as string[]).filter((r) => r !== 'type') : undefined;
    return { name: name as string, fields: { ...v, properties, ...(required ? { required } : {}) } };
  });
}

/**
 * Describes an aggregate for people and tools: its stream type, state schema version, and each
 * command and event with its fields as JSON Schema (from its zod schema) and, for events, the
 * current schema version.
 */
export function describeAggregate(def: AnyAggregateDefinition): AggregateDescription {
  const eventSchemas = def.eventSchemas as Record<string, z.ZodType>;
  return {
    type: def.type,
    schemaVersion: def.schemaVersion,
    streamIdPattern: `${def.type}-<id>`,
    commands: describeCommands(def.commandSchema),
    events: Object.entries(eventSchemas).map(([name, schema]) => ({ name, schemaVersion: currentEventVersion(def, name), fields: toJsonSchema(schema, 'output') })),
  };
}

function typeText(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((e) => JSON.stringify(e)).join(' | ');
  const alternatives = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (alternatives) return alternatives.map(typeText).join(' | ');
  if (s.type === 'array') return `${s.items ? typeText(s.items as JsonSchema) : 'any'}[]`;
  if (s.type === 'object') return s.properties ? `{ ${fieldsText(s)} }` : 'object';
  const type = Array.isArray(s.type) ? s.type.join(' | ') : typeof s.type === 'string' ? s.type : 'any';
  return typeof s.format === 'string' ? `${type} (${s.format})` : type;
}

/** `name: string, email?: string (email)`: a payload's fields on one line; `-` when it has none. */
export function fieldsText(schema: JsonSchema): string {
  const properties = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>);
  if (properties.length === 0) return schema.properties || schema.type === 'object' ? '-' : typeText(schema);
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return properties.map(([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${typeText(v)}`).join(', ');
}
