import type { Logger } from '../logger.js';
import type { ProjectionStore } from './projectionStore.js';
import type { AnyProjectionDefinition } from './types.js';

/**
 * Called by a version once it is live: marks older versions retired (their runners stop at
 * their next batch, and readers switch to this version), then drops their collections once
 * `graceMs` passed since the switch, so a reader that looked up the old collection just before
 * still finds it whole. Returns true while a drop is still due (call again later).
 */
export async function retireOlderVersions(store: ProjectionStore, def: AnyProjectionDefinition, opts: { keep: boolean; graceMs: number; logger: Logger }): Promise<boolean> {
  let pending = false;
  for (const rec of await store.checkpoints(def.name)) {
    if (rec.version >= def.version) continue;
    let retiredAt = rec.retiredAt ?? null;
    if (rec.status !== 'retired' || !retiredAt) {
      retiredAt = new Date();
      await store.setStatus(rec._id, { status: 'retired', retiredAt });
      opts.logger.info({ projection: rec._id, by: `${def.name}@${def.version}` }, `projection ${rec._id} retired: ${def.name}@${def.version} is live`);
    }
    if (opts.keep || rec.dropped) continue;
    if (Date.now() - retiredAt.getTime() < opts.graceMs) {
      pending = true;
      continue;
    }
    await store.dropCollection(rec.collection);
    await store.dropTombstones(rec.collection);
    await store.setStatus(rec._id, { dropped: true });
    opts.logger.info({ projection: rec._id, collection: rec.collection }, `dropped ${rec.collection}`);
  }
  return pending;
}
