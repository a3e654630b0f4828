import type { Db } from 'mongodb';

type Topic = 'append' | 'numbered';
const listeners = new Map<string, Set<() => void>>();
const key = (db: Db, topic: Topic) => `${topic}\u0000${db.databaseName}`;

/**
 * In-process wake-up calls, by database name: an append wakes the sequencer at once, and a
 * numbered batch wakes subscriptions. Only hints: every listener also polls, so a missed or
 * spurious call (another process, another server with the same database name) costs latency
 * at most, never correctness.
 */
export function notify(db: Db, topic: Topic): void {
  for (const fn of listeners.get(key(db, topic)) ?? []) fn();
}

/** Calls `fn` on each `notify(db, topic)` until the returned function is called. */
export function listen(db: Db, topic: Topic, fn: () => void): () => void {
  const k = key(db, topic);
  let set = listeners.get(k);
  if (!set) listeners.set(k, (set = new Set()));
  set.add(fn);
  return () => {
    set.delete(fn);
    if (set.size === 0) listeners.delete(k);
  };
}

/**
 * Resolves after `ms`, or earlier on `notify(db, topic)` or when `signal` aborts: the wait of a
 * poller that backs off while idle but reacts at once to work made in this process.
 */
export function waitForWork(db: Db, topic: Topic, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const stop = listen(db, topic, done);
    if (signal?.aborted) done();
    else signal?.addEventListener('abort', done, { once: true });
  });
}
