/**
 * Most write statements Chronicle sends in one command (an `update` of a bulk write).
 *
 * FerretDB 1.24 stops answering every client, until it restarts, once too many update
 * statements are in flight at once: measured at 100 in one command on its SQLite backend, and at
 * about 50 in flight on its PostgreSQL backend (49 in one command answered, 50 did not; two
 * clients with 30 each hung too). Several writers run at once (the sequencer, each projection
 * runner), so each stays far below that. MongoDB has no such limit; small commands cost it a
 * few more round trips on large batches only.
 */
export const MAX_WRITE_STATEMENTS = 10;
