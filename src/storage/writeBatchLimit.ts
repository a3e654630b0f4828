/**
 * Most write statements Chronicle sends in one command (an `update` of a bulk write).
 *
 * FerretDB 1.24 never answers an update command with many statements, and the stuck command
 * blocks the whole database until the server restarts: measured at 100 statements on its
 * SQLite backend and at 50 on its PostgreSQL backend (45 still answered there). MongoDB has no
 * such limit; 25 keeps a safe margin on both FerretDB backends at little cost elsewhere.
 */
export const MAX_WRITE_STATEMENTS = 25;
