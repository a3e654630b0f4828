import { z } from 'zod';
import { parseInput, streamTypeSchema } from '../validation.js';
import type { AnyProjectionDefinition, ProjectionDefinition, ProjectionDocument } from './types.js';

const definitionSchema = z.object(
  {
    name: z.string({ error: 'must be a string' }).regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, { error: 'must be a word of letters, digits and _ starting with a letter (it names a collection)' }),
    version: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(1_000_000),
    streamTypes: z.array(streamTypeSchema, { error: 'must be an array of stream types' }).min(1, { error: 'must not be empty (omit it for all)' }).optional(),
    eventTypes: z.array(z.string().min(1), { error: 'must be an array of event types' }).min(1, { error: 'must not be empty (omit it for all)' }).optional(),
    documentId: z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { error: 'must be a function (event) => id | ids | null' }),
    evolve: z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { error: 'must be a function (doc | null, event) => doc | null' }),
    schema: z.custom<z.ZodType>((v) => v instanceof z.ZodType, { error: 'must be a zod schema' }).optional(),
  },
  { error: 'a projection definition must be an object' },
);

/**
 * Defines a projection (a read model kept in `<name>_v<version>`): checks the definition and
 * returns it unchanged, typed. Run it with `startWorker(chronicle, { projections: [def] })`,
 * read it through `chronicle.projection(def)`.
 * @throws ValidationError naming the bad field.
 */
export function defineProjection<TDoc extends ProjectionDocument, TEvent extends { type: string; data: unknown } = { type: string; data: unknown }>(
  definition: ProjectionDefinition<TDoc, TEvent>,
): ProjectionDefinition<TDoc, TEvent> {
  parseInput(definitionSchema, definition, 'projection definition');
  return Object.freeze({ ...definition });
}

/** The collection of a projection version: `<name>_v<version>`. */
export const collectionNameOf = (def: Pick<AnyProjectionDefinition, 'name' | 'version'>): string => `${def.name}_v${def.version}`;

/** The checkpoint id of a projection version in `projections`: `<name>@<version>`. */
export const projectionIdOf = (def: Pick<AnyProjectionDefinition, 'name' | 'version'>): string => `${def.name}@${def.version}`;

/** The lease a runner of this version holds. */
export const leaseNameOf = (def: Pick<AnyProjectionDefinition, 'name' | 'version'>): string => `projection:${projectionIdOf(def)}`;
