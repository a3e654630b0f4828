import type { Db } from 'mongodb';
import type { EventStoreInternals } from '../events/eventRepository.js';
import { notify } from './appendNotifier.js';

/** The event store with an in-process wake-up call to the sequencer after each append. */
export function withAppendNotice(db: Db, events: EventStoreInternals): EventStoreInternals {
  return {
    ...events,
    async append(...args) {
      const r = await events.append(...args);
      notify(db, 'append');
      return r;
    },
    async appendAtKnownVersion(...args) {
      const r = await events.appendAtKnownVersion(...args);
      notify(db, 'append');
      return r;
    },
  };
}
