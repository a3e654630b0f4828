// SQL that Chronicle's PostgreSQL clusters (postgresCluster.ts) install into the database FerretDB
// uses. FerretDB 1.24 creates btree indexes on (_jsonb -> 'field') but filters with
// (_jsonb -> $1) @> $2, which a btree cannot serve; a GIN jsonb_path_ops index on the same
// expression can. For every btree index on a FerretDB table whose first key is a top-level field,
// the trigger adds one GIN index on that field (per table and field, idempotent name). FerretDB
// reuses prepared statements, whose generic plan cannot match `_jsonb -> $1` to an index
// expression: force_custom_plan plans each execution with its actual key.

/** Event trigger adding GIN indexes next to FerretDB's btree indexes. */
export const GIN_INDEX_TRIGGER_SQL = String.raw`
CREATE OR REPLACE FUNCTION chronicle_gin_for_btree() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  cmd record;
  idx record;
  field text;
  gin_name text;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    SELECT n.nspname AS schema_name, t.relname AS table_name, am.amname AS method,
           pg_get_indexdef(i.indexrelid, 1, true) AS first_key
      INTO idx
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_am am ON am.oid = ic.relam
      JOIN pg_class t ON t.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE i.indexrelid = cmd.objid;
    CONTINUE WHEN NOT FOUND OR idx.method <> 'btree' OR idx.table_name LIKE '\_ferretdb\_%';
    -- Top-level fields only: a nested key prints as ((_jsonb -> 'a'::text) -> 'b'::text).
    field := substring(idx.first_key FROM '^\(_jsonb -> ''((?:[^'']|'''')*)''::text\)$');
    CONTINUE WHEN field IS NULL;
    field := replace(field, '''''', '''');
    gin_name := left(idx.table_name, 24) || '_' || left(regexp_replace(lower(field), '[^a-z0-9]+', '_', 'g'), 20)
      || '_' || left(md5(idx.table_name || '/' || field), 8) || '_gin';
    BEGIN
      EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin ((_jsonb -> %L) jsonb_path_ops)',
                     gin_name, idx.schema_name, idx.table_name, field);
    EXCEPTION WHEN OTHERS THEN
      -- An extra index is an optimisation: never fail the application's createIndexes for it.
      RAISE WARNING 'chronicle: no GIN index on %.%(%): %', idx.schema_name, idx.table_name, field, SQLERRM;
    END;
  END LOOP;
END
$fn$;

DROP EVENT TRIGGER IF EXISTS chronicle_gin_for_btree;
CREATE EVENT TRIGGER chronicle_gin_for_btree ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION chronicle_gin_for_btree();
`;

/** Makes every execution of a prepared statement plan with its parameters (see above). */
export function customPlansSql(database: string): string {
  return `ALTER DATABASE "${database.replaceAll('"', '""')}" SET plan_cache_mode = force_custom_plan;`;
}
