import type { Db } from 'mongodb';

const listeners = new Map<string, Set<() => void>>();
const key = (db: Db, projectionId: string) => `${db.databaseName}\u0000${projectionId}`;

/** Tells waiters in this process that the checkpoint of `projectionId` moved (a hint: they poll too). */
export function notifyCheckpoint(db: Db, projectionId: string): void {
  for (const fn of listeners.get(key(db, projectionId)) ?? []) fn();
}

/** Resolves after `ms`, on `notifyCheckpoint(db, projectionId)`, or when `signal` aborts. */
export function waitForCheckpoint(db: Db, projectionId: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const k = key(db, projectionId);
    let set = listeners.get(k);
    if (!set) listeners.set(k, (set = new Set()));
    const done = () => {
      clearTimeout(timer);
      set.delete(done);
      if (set.size === 0) listeners.delete(k);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    set.add(done);
    if (signal?.aborted) done();
    else signal?.addEventListener('abort', done, { once: true });
  });
}
