import { ChronicleError } from 'chronicle-es';

/** The HTTP status an API answers for an error from Chronicle. */
export function httpStatusOf(err: unknown): number {
  if (!(err instanceof ChronicleError)) return 500;
  switch (err.code) {
    case 'VALIDATION':
      return 400; // bad command, event, id or option; err.issues has the paths
    case 'COMMAND_REJECTED':
      return 422; // decide refused it; err.reason says why
    case 'CONCURRENCY':
      return 409; // If-Match / expectedVersion no longer holds (handle already retried races without one)
    case 'PROJECTION_TIMEOUT':
      return 202; // from waitFor: the command is stored, the read model has not caught up yet
    case 'CONNECTION':
    case 'STORAGE':
      return 503; // the database is unreachable or failed; retry later
    default:
      return 500; // CORRUPT_DOCUMENT, MIGRATION, CONFIG, ABORTED, LEASE_LOST, PROJECTION_FAILED: an operator should look
  }
}
