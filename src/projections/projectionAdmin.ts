import type { Db } from 'mongodb';
import { ValidationError } from '../errors.js';
import { readLease } from '../leases/lease.js';
import { createGlobalLog } from '../log/globalLog.js';
import { leaseNameOf } from './defineProjection.js';
import { statusOf } from './projectionHandle.js';
import { createProjectionStore } from './projectionStore.js';
import type { ProjectionStatus } from './types.js';

/** A projection version as operators see it: its status, who runs it, and a rebuild in progress. */
export interface ProjectionOverview extends ProjectionStatus {
  /** Holder of its runner's lease, or null when no runner holds it. */
  runner: string | null;
  /** A rebuild in progress (`rebuildProjection`): its collection and position. */
  rebuild: { collection: string; position: number } | null;
}

/** Every projection version the database knows (from `projections`), for `chronicle projections`. */
export async function listProjections(db: Db): Promise<ProjectionOverview[]> {
  const store = createProjectionStore(db);
  const [records, head] = await Promise.all([store.checkpoints(), createGlobalLog(db).head()]);
  return Promise.all(
    records.map(async (rec) => {
      const lease = await readLease(db, leaseNameOf(rec));
      return {
        ...statusOf(rec, rec, head),
        runner: lease && !lease.expired ? lease.holder : null,
        rebuild: rec.rebuild ? { collection: rec.rebuild.collection, position: rec.rebuild.position } : null,
      };
    }),
  );
}

/**
 * Asks the runner of the newest version of `name` to rebuild it from position 1 into a fresh
 * collection (created now, with the live collection's indexes). The live collection serves
 * reads until the rebuilt one caught up and replaces it; the old one is dropped after a grace
 * period. Use it after fixing a bug in `evolve` that did not warrant a new version, or to
 * repair a collection edited by hand.
 * @throws ValidationError when no such projection exists, it is failed, still building, or already rebuilding.
 */
export async function rebuildProjection(db: Db, name: string): Promise<{ id: string; collection: string }> {
  const store = createProjectionStore(db);
  const rec = (await store.checkpoints(name)).filter((r) => r.status !== 'retired').sort((a, b) => b.version - a.version)[0];
  if (!rec) throw new ValidationError(`no projection named "${name}" (see \`chronicle projections\`)`);
  if (rec.status === 'failed') throw new ValidationError(`projection ${rec._id} failed: fix it (a new version) rather than rebuild it; ${rec.error?.message ?? ''}`);
  if (!rec.liveSince) throw new ValidationError(`projection ${rec._id} is still building (position ${rec.position}); a rebuild would repeat that`);
  if (rec.rebuild) throw new ValidationError(`projection ${rec._id} is already being rebuilt into ${rec.rebuild.collection} (position ${rec.rebuild.position})`);
  const m = /_r(\d+)$/.exec(rec.collection);
  const collection = `${name}_v${rec.version}_r${m ? Number(m[1]) + 1 : 2}`;
  if (!(await store.requestRebuild(rec._id, rec.collection, collection))) throw new ValidationError(`projection ${rec._id} changed meanwhile; try again`);
  return { id: rec._id, collection };
}
