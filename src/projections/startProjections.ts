import type { Db } from 'mongodb';
import { ValidationError } from '../errors.js';
import { projectionIdOf } from './defineProjection.js';
import { createProjectionRunner, type ProjectionRunner, type ProjectionRunnerOptions, type ProjectionRunnerStatus } from './projectionRunner.js';
import type { AnyProjectionDefinition } from './types.js';

/** Options shared by every runner of `startProjections` (see `ProjectionRunnerOptions`). */
export type ProjectionsOptions = Omit<ProjectionRunnerOptions, 'afterWrite'>;

/** The projection runners of one process. */
export interface RunningProjections {
  stop(): Promise<void>;
  status(): ProjectionRunnerStatus[];
}

/**
 * Starts one leased runner per projection version in this process: what `startWorker` does
 * with its `projections` option. Listing an old and a new version of one projection keeps the
 * old one live (and `waitFor` answering) while the new one is built.
 * @throws ValidationError when two definitions share a name and version.
 */
export function startProjections(db: Db, definitions: readonly AnyProjectionDefinition[], opts: ProjectionsOptions = {}): RunningProjections {
  const seen = new Set<string>();
  for (const def of definitions) {
    const id = projectionIdOf(def);
    if (seen.has(id)) throw new ValidationError(`projection ${id} is listed twice`);
    seen.add(id);
  }
  const runners: ProjectionRunner[] = definitions.map((def) => createProjectionRunner(db, def, opts));
  for (const r of runners) r.start();
  return {
    async stop() {
      await Promise.all(runners.map((r) => r.stop()));
    },
    status: () => runners.map((r) => r.status()),
  };
}
