-- pg_fk_guard: the SQL interface of the newest version (1.1). The Makefile
-- installs this file as pg_fk_guard--<default_version>.sql.
--
-- CHANGING THE SQL INTERFACE: every change made here must also go into the
-- upgrade script to the newest version (extension/pg_fk_guard--1.0--1.1.sql
-- today), so that ALTER EXTENSION pg_fk_guard UPDATE ends with exactly what a
-- fresh install has. sql/oldextversions.sql compares the two and fails on
-- any difference. Released scripts (pg_fk_guard--1.0.sql, ...) never change.
--
-- The control file installs the extension itself in pg_catalog and this
-- script creates schema fk_guard, so the schema is a member of the extension
-- (pg_dump then writes no CREATE SCHEMA of its own). Name every object
-- fk_guard.<name>: the script runs with search_path = pg_catalog, where
-- nothing may be created.

\echo Use "CREATE EXTENSION pg_fk_guard" to load this file. \quit

CREATE SCHEMA fk_guard;

-- Everyone may call the diagnostic functions; they run as the caller.
GRANT USAGE ON SCHEMA fk_guard TO PUBLIC;

-- The diagnostic functions are C functions with SET search_path; the two
-- that look tables up "on the search_path" (implied foreign keys) are called
-- through thin SQL wrappers that hand them the caller's search_path, since
-- inside a function with SET search_path it is no longer visible. The
-- wrappers' bodies name everything schema-qualified.
-- One row of diagnose_fk_mismatches().
CREATE TYPE fk_guard.mismatch AS (
  source text,
  constraint_name name,
  referencing_table regclass,
  referencing_column name,
  referencing_type text,
  referenced_table regclass,
  referenced_column name,
  referenced_type text,
  kind text,
  severity text,
  detail text,
  suggested_fix text,
  rows_total bigint,
  rows_null bigint,
  rows_convertible bigint,
  rows_unconvertible bigint,
  rows_orphaned bigint,
  sample_unconvertible text[],
  sample_orphaned text[],
  conversion text);

-- Not STRICT: a NULL argument is an error that names it, never an empty result.
CREATE FUNCTION fk_guard.diagnose_fk_mismatches_in(include_implied boolean, check_data boolean, search_path name[])
RETURNS SETOF fk_guard.mismatch
LANGUAGE c STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'diagnose_fk_mismatches_in';

CREATE FUNCTION fk_guard.diagnose_fk_mismatches(include_implied boolean DEFAULT true, check_data boolean DEFAULT false)
RETURNS SETOF fk_guard.mismatch
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
  SELECT * FROM fk_guard.diagnose_fk_mismatches_in($1, $2, pg_catalog.current_schemas(true))
$$;

COMMENT ON FUNCTION fk_guard.diagnose_fk_mismatches(boolean, boolean) IS
'one row per foreign-key column pair (declared, or implied by naming) whose types do not match: kind, severity, explanation, fix, and with check_data the data profile';

-- Not STRICT: assert_no_mismatches(NULL) is an error, never a silent pass.
CREATE FUNCTION fk_guard.assert_no_mismatches_in(min_severity text, search_path name[])
RETURNS void
LANGUAGE c STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'assert_no_mismatches_in';

CREATE FUNCTION fk_guard.assert_no_mismatches(min_severity text DEFAULT 'warning')
RETURNS void
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
  SELECT fk_guard.assert_no_mismatches_in($1, pg_catalog.current_schemas(true))
$$;

COMMENT ON FUNCTION fk_guard.assert_no_mismatches(text) IS
'raises an error listing every foreign-key mismatch at or above min_severity (error, warning, notice), for CI pipelines';

CREATE FUNCTION fk_guard.profile_column(
  tbl regclass,
  col name,
  target regtype,
  referenced_table regclass DEFAULT NULL,
  referenced_column name DEFAULT NULL,
  samples integer DEFAULT 3,
  OUT rows_total bigint,
  OUT rows_null bigint,
  OUT rows_convertible bigint,
  OUT rows_unconvertible bigint,
  OUT rows_orphaned bigint,
  OUT sample_unconvertible text[],
  OUT sample_orphaned text[],
  OUT conversion text)
RETURNS record
LANGUAGE c VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'profile_column';

COMMENT ON FUNCTION fk_guard.profile_column(regclass, name, regtype, regclass, name, integer) IS
'what a column holds with respect to a target type and a referenced key: NULLs, values that convert, values that do not, orphans';

CREATE FUNCTION fk_guard.fix_plan(
  referencing_table regclass,
  referencing_column name,
  referenced_table regclass,
  referenced_column name DEFAULT NULL,
  on_unconvertible text DEFAULT 'fail',
  allow_cascade boolean DEFAULT false,
  constraint_name name DEFAULT NULL)
RETURNS text
LANGUAGE c VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'fix_plan';

COMMENT ON FUNCTION fk_guard.fix_plan(regclass, name, regclass, name, text, boolean, name) IS
'a SQL script, in a safe order, that converts a column in place and adds its foreign key; on_unconvertible: fail, null, delete or map; allow_cascade: let delete change rows of other tables through ON DELETE; constraint_name: the name the key must have';

CREATE FUNCTION fk_guard.change_key_type_plan(
  referenced_table regclass,
  referenced_column name,
  new_type regtype,
  on_unconvertible text DEFAULT 'fail',
  new_key_expression text DEFAULT NULL,
  include_implied boolean DEFAULT false,
  online boolean DEFAULT false,
  batch_size integer DEFAULT 10000,
  batch_pause interval DEFAULT '0.1 s')
RETURNS text
LANGUAGE c VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'change_key_type_plan';

COMMENT ON FUNCTION fk_guard.change_key_type_plan(regclass, name, regtype, text, text, boolean, boolean, integer, interval) IS
'a SQL script that changes a key column''s type together with every column that references it, keeping every foreign key''s definition; with no cast, new keys come from new_key_expression (alias r; uuid: gen_random_uuid()) and references follow them row for row; on_unconvertible: fail, null or delete for references to no key; online: a five-phase script (new columns kept in sync by triggers, a backfill in batches of batch_size rows with batch_pause between them, indexes built concurrently, new keys validated, then a short swap) for tables too big to rewrite under a long lock';

-- The ignore list: findings that a team has looked at and accepted. A NULL
-- table, column, constraint or check means "any". check_foreign_keys(),
-- diagnose_fk_mismatches(), assert_no_mismatches() and the guard's soft
-- warnings skip what it covers. pg_dump writes its rows (extension
-- configuration table).
CREATE TABLE fk_guard.ignored (
  table_name regclass,
  column_name name,
  constraint_name name,
  check_name text CHECK (check_name IN ('type_mismatch', 'duplicate', 'overlapping', 'unindexed',
                                        'nullable_match_simple', 'not_validated')),
  reason text NOT NULL CHECK (reason <> ''),
  added_by name NOT NULL DEFAULT CURRENT_USER,
  added_at timestamptz NOT NULL DEFAULT pg_catalog.now());

SELECT pg_catalog.pg_extension_config_dump('fk_guard.ignored', '');
GRANT SELECT ON fk_guard.ignored TO PUBLIC;

COMMENT ON TABLE fk_guard.ignored IS
'findings to skip: a NULL table_name, column_name, constraint_name or check_name matches any; reason says why';

CREATE FUNCTION fk_guard.check_foreign_key_hygiene(schemas name[], checks text[])
RETURNS TABLE (check_name text, severity text, referencing_table regclass, referencing_columns name[],
               referenced_table regclass, referenced_columns name[], constraint_name name, detail text,
               suggested_fix text)
LANGUAGE c STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'check_foreign_key_hygiene';

-- check_foreign_keys(), report() and assert_foreign_keys() are SQL wrappers
-- that pass the caller's current_schemas(true) to their bodies (*_in), as
-- diagnose_fk_mismatches() does: implied foreign keys are looked up on the
-- caller's search_path, which a SET clause would hide.
CREATE FUNCTION fk_guard.check_foreign_keys_in(schemas name[], checks text[], search_path name[])
RETURNS TABLE (check_name text, severity text, referencing_table regclass, referencing_columns name[],
               referenced_table regclass, referenced_columns name[], constraint_name name, detail text,
               suggested_fix text)
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
  SELECT f.* FROM (
    SELECT 'type_mismatch'::pg_catalog.text, m.severity, m.referencing_table, ARRAY[m.referencing_column],
           m.referenced_table, ARRAY[m.referenced_column], m.constraint_name, m.detail, m.suggested_fix
      FROM fk_guard.diagnose_fk_mismatches_in(true, false, $3) m
     WHERE ($2 IS NULL OR 'type_mismatch' OPERATOR(pg_catalog.=) ANY ($2))
       AND ($1 IS NULL OR (SELECT n.nspname FROM pg_catalog.pg_class c
                             JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                            WHERE c.oid OPERATOR(pg_catalog.=) m.referencing_table) OPERATOR(pg_catalog.=) ANY ($1))
    UNION ALL
    SELECT h.* FROM fk_guard.check_foreign_key_hygiene($1, $2) h
  ) f (check_name, severity, referencing_table, referencing_columns, referenced_table, referenced_columns,
       constraint_name, detail, suggested_fix)
  ORDER BY CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, f.check_name,
           f.referencing_table::pg_catalog.text, f.constraint_name, f.referencing_columns::pg_catalog.text
$$;

CREATE FUNCTION fk_guard.check_foreign_keys(schemas name[] DEFAULT NULL, checks text[] DEFAULT NULL)
RETURNS TABLE (check_name text, severity text, referencing_table regclass, referencing_columns name[],
               referenced_table regclass, referenced_columns name[], constraint_name name, detail text,
               suggested_fix text)
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
  SELECT * FROM fk_guard.check_foreign_keys_in($1, $2, pg_catalog.current_schemas(true))
$$;

COMMENT ON FUNCTION fk_guard.check_foreign_keys(name[], text[]) IS
'one row per foreign-key finding: type_mismatch, duplicate, overlapping, unindexed, nullable_match_simple, not_validated; schemas and checks limit it; the ignore list (fk_guard.ignored) applies';

CREATE FUNCTION fk_guard.report_in(format text, search_path name[])
RETURNS text
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  rules jsonb := '[
    {"id": "type_mismatch", "text": "The referencing and referenced columns of a foreign key have different types, collations or type modifiers.", "level": "warning"},
    {"id": "duplicate", "text": "Two foreign keys have the same columns referencing the same columns: every write checks the key twice.", "level": "warning"},
    {"id": "overlapping", "text": "Two foreign keys between the same tables share columns, paired differently or one within the other.", "level": "note"},
    {"id": "unindexed", "text": "No index on the referencing table starts with the foreign key''s columns: deletes and key updates on the referenced table scan it.", "level": "warning"},
    {"id": "nullable_match_simple", "text": "A multi-column MATCH SIMPLE foreign key has a nullable column: a row with one NULL part is never checked.", "level": "warning"},
    {"id": "not_validated", "text": "A foreign key added NOT VALID was never validated.", "level": "warning"}]';
  out text;
BEGIN
  IF format IS NULL OR format NOT IN ('text', 'json', 'sarif') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = pg_catalog.format('unknown report format %L', format), HINT = 'Use text, json or sarif.';
  END IF;
  IF format = 'text' THEN
    SELECT coalesce(string_agg(pg_catalog.format('%s %s: %s (%s) -> %s (%s)%s%s%s', upper(f.severity), f.check_name,
             f.referencing_table, array_to_string(f.referencing_columns, ', '), f.referenced_table,
             array_to_string(f.referenced_columns, ', '),
             coalesce(' [' || f.constraint_name || ']', ''), E'\n  ' || f.detail,
             coalesce(E'\n  fix: ' || replace(f.suggested_fix, E'\n', E'\n       '), '')), E'\n')
             || E'\n', '') || pg_catalog.format('%s finding(s)', count(*))
      INTO out FROM fk_guard.check_foreign_keys_in(NULL, NULL, search_path) f;
    RETURN out;
  END IF;
  IF format = 'json' THEN
    SELECT jsonb_pretty(coalesce(jsonb_agg(jsonb_build_object(
             'check', f.check_name, 'severity', f.severity,
             'referencing_table', f.referencing_table::text, 'referencing_columns', to_jsonb(f.referencing_columns),
             'referenced_table', f.referenced_table::text, 'referenced_columns', to_jsonb(f.referenced_columns),
             'constraint', f.constraint_name, 'detail', f.detail, 'suggested_fix', f.suggested_fix)), '[]'))
      INTO out FROM fk_guard.check_foreign_keys_in(NULL, NULL, search_path) f;
    RETURN out;
  END IF;
  SELECT jsonb_pretty(jsonb_build_object(
           '$schema', 'https://json.schemastore.org/sarif-2.1.0.json',
           'version', '2.1.0',
           'runs', jsonb_build_array(jsonb_build_object(
             'tool', jsonb_build_object('driver', jsonb_build_object(
               'name', 'pg_fk_guard',
               'version', (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'pg_fk_guard'),
               'informationUri', 'https://pgxn.org/dist/pg_fk_guard/',
               'rules', (SELECT jsonb_agg(jsonb_build_object(
                           'id', r->>'id', 'name', r->>'id',
                           'shortDescription', jsonb_build_object('text', r->>'text'),
                           'defaultConfiguration', jsonb_build_object('level', r->>'level')) ORDER BY n)
                           FROM jsonb_array_elements(rules) WITH ORDINALITY AS x(r, n)))),
             'results', coalesce((SELECT jsonb_agg(jsonb_build_object(
                 'ruleId', f.check_name,
                 'ruleIndex', (SELECT n - 1 FROM jsonb_array_elements(rules) WITH ORDINALITY AS x(r, n)
                                WHERE r->>'id' = f.check_name),
                 'level', CASE f.severity WHEN 'error' THEN 'error' WHEN 'warning' THEN 'warning' ELSE 'note' END,
                 'message', jsonb_build_object('text', f.detail),
                 'locations', (SELECT jsonb_agg(jsonb_build_object('logicalLocations', jsonb_build_array(
                                  jsonb_build_object('fullyQualifiedName', f.referencing_table::text, 'kind', 'table'),
                                  jsonb_build_object('fullyQualifiedName', f.referencing_table::text || '.' || quote_ident(c),
                                                     'name', c, 'kind', 'column'))))
                                 FROM unnest(f.referencing_columns) AS c),
                 'partialFingerprints', jsonb_build_object('findingKey/v1',
                     pg_catalog.format('%s/%s/%s', f.referencing_table, coalesce(quote_ident(f.constraint_name), ''),
                                       f.referencing_columns)),
                 'properties', jsonb_strip_nulls(jsonb_build_object(
                     'constraint', f.constraint_name, 'referencedTable', f.referenced_table::text,
                     'suggestedFix', f.suggested_fix)))) FROM fk_guard.check_foreign_keys_in(NULL, NULL, search_path) f), '[]')))))
    INTO out;
  RETURN out;
END
$$;

CREATE FUNCTION fk_guard.report(format text DEFAULT 'text')
RETURNS text
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
  SELECT fk_guard.report_in($1, pg_catalog.current_schemas(true))
$$;

COMMENT ON FUNCTION fk_guard.report(text) IS
'every finding of check_foreign_keys() as text, json or sarif (SARIF 2.1.0, one rule per check) for CI tools';

-- fk_guard.migration_history(): new in 1.1. The migrations each migration
-- tool recorded, read from the tools' own tables, recognised by exact name
-- and column shape in the schemas of the caller's search_path. Like
-- diagnose_fk_mismatches(), a one-line SQL wrapper hands the caller's
-- search_path to the body, whose SET clause would hide it.
CREATE FUNCTION fk_guard.migration_history_in(search_path name[])
RETURNS TABLE (tool text, migration text, applied_at timestamptz, status text, recorded_in regclass, detail text,
               ordinal bigint)
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  -- Each tool's table: its exact name, the columns it must have with their
  -- kind (S string, I integer, T timestamp, B boolean), and a table that
  -- must stand beside it. First match wins for a table.
  shapes CONSTANT jsonb := '[
    {"tool": "Sequelize", "table": "SequelizeMeta", "columns": {"name": "S"}},
    {"tool": "knex", "table": "knex_migrations", "columns": {"id": "I", "name": "S", "batch": "I", "migration_time": "T"}},
    {"tool": "TypeORM", "table": "migrations", "columns": {"id": "I", "timestamp": "I", "name": "S"}},
    {"tool": "node-pg-migrate", "table": "pgmigrations", "columns": {"id": "I", "name": "S", "run_on": "T"}},
    {"tool": "Prisma", "table": "_prisma_migrations", "columns": {"id": "S", "checksum": "S", "migration_name": "S",
       "started_at": "T", "finished_at": "T", "rolled_back_at": "T", "logs": "S", "applied_steps_count": "I"}},
    {"tool": "Rails", "table": "schema_migrations", "columns": {"version": "S"},
       "beside": "ar_internal_metadata", "beside_columns": {"key": "S", "value": "S"}},
    {"tool": "Ecto", "table": "schema_migrations", "columns": {"version": "I", "inserted_at": "T"}},
    {"tool": "golang-migrate", "table": "schema_migrations", "columns": {"version": "I", "dirty": "B"}},
    {"tool": "Django", "table": "django_migrations", "columns": {"id": "I", "app": "S", "name": "S", "applied": "T"}},
    {"tool": "Alembic", "table": "alembic_version", "columns": {"version_num": "S"}},
    {"tool": "Flyway", "table": "flyway_schema_history", "columns": {"installed_rank": "I", "version": "S",
       "description": "S", "type": "S", "script": "S", "installed_on": "T", "success": "B"}},
    {"tool": "Liquibase", "table": "databasechangelog", "columns": {"id": "S", "author": "S", "filename": "S",
       "dateexecuted": "T", "orderexecuted": "I", "exectype": "S"}},
    {"tool": "goose", "table": "goose_db_version", "columns": {"id": "I", "version_id": "I", "is_applied": "B", "tstamp": "T"}}
  ]';
  nsp record;
  shape jsonb;
  rel oid;
  beside oid;
  cols jsonb;
  tbl text;
  q text;
  done oid[] := '{}';
BEGIN
  IF migration_history_in.search_path IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
      MESSAGE = 'argument search_path of fk_guard.migration_history_in() must not be null';
  END IF;
  FOR nsp IN
    SELECT n.oid, n.nspname
      FROM unnest(migration_history_in.search_path) WITH ORDINALITY AS s(name, ord)
      JOIN pg_namespace n ON n.nspname = s.name
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
     ORDER BY s.ord
  LOOP
    FOR shape IN SELECT e FROM jsonb_array_elements(shapes) AS e LOOP
      SELECT c.oid INTO rel FROM pg_class c
       WHERE c.relnamespace = nsp.oid AND c.relname = shape->>'table' AND c.relkind IN ('r', 'p');
      CONTINUE WHEN rel IS NULL OR rel = ANY (done);
      -- The shape: every column the tool writes, of its kind.
      SELECT jsonb_object_agg(a.attname, CASE
               WHEN t.typname IN ('int2', 'int4', 'int8') THEN 'I'
               WHEN t.typname IN ('timestamp', 'timestamptz') THEN 'T'
               WHEN t.typname = 'bool' THEN 'B'
               WHEN t.typname IN ('text', 'varchar', 'bpchar', 'name') THEN 'S'
               ELSE '?' END)
        INTO cols
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
       WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped;
      CONTINUE WHEN NOT coalesce(cols @> (shape->'columns'), false);
      IF shape ? 'beside' THEN
        SELECT c.oid INTO beside FROM pg_class c
         WHERE c.relnamespace = nsp.oid AND c.relname = shape->>'beside' AND c.relkind IN ('r', 'p');
        CONTINUE WHEN beside IS NULL;
        CONTINUE WHEN NOT coalesce((SELECT jsonb_object_agg(a.attname, CASE WHEN t.typname IN ('text', 'varchar', 'bpchar', 'name')
                                                                         THEN 'S' ELSE '?' END)
                                      FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                                     WHERE a.attrelid = beside AND a.attnum > 0 AND NOT a.attisdropped)
                                   @> (shape->'beside_columns'), false);
      END IF;
      done := done || rel;
      tbl := format('%I.%I', nsp.nspname, shape->>'table');
      IF NOT has_table_privilege(rel, 'SELECT') THEN
        RETURN QUERY SELECT shape->>'tool', NULL::text, NULL::timestamptz, 'unreadable'::text, rel::regclass,
          format('permission denied for table %s: its migrations were not read', rel::regclass), NULL::bigint;
        CONTINUE;
      END IF;
      -- Each query yields (migration, applied_at, status, detail, ordinal);
      -- every name in it is quoted.
      q := CASE shape->>'tool'
        WHEN 'Sequelize' THEN format(
          'SELECT %I::text, %s, ''applied'', NULL::text, row_number() OVER (ORDER BY %I COLLATE "C") FROM %s',
          'name', CASE WHEN cols ? 'createdAt' AND cols->>'createdAt' = 'T' THEN quote_ident('createdAt') || '::timestamptz'
                       ELSE 'NULL::timestamptz' END, 'name', tbl)
        WHEN 'knex' THEN format(
          'SELECT %I::text, %I::timestamptz, ''applied'', ''batch '' || %I, row_number() OVER (ORDER BY %I) FROM %s',
          'name', 'migration_time', 'batch', 'id', tbl)
        WHEN 'TypeORM' THEN format(
          'SELECT %I::text, NULL::timestamptz, ''applied'', ''timestamp '' || %I || '' (from the migration''''s name: when it was written; TypeORM records no time of running)'', '
          'row_number() OVER (ORDER BY %I) FROM %s', 'name', 'timestamp', 'id', tbl)
        WHEN 'node-pg-migrate' THEN format(
          'SELECT %I::text, %I::timestamptz, ''applied'', NULL::text, row_number() OVER (ORDER BY %I) FROM %s',
          'name', 'run_on', 'id', tbl)
        WHEN 'Prisma' THEN format(
          'SELECT %1$I::text, CASE WHEN %3$I IS NULL THEN %2$I END::timestamptz, '
          'CASE WHEN %3$I IS NOT NULL THEN ''rolled_back'' WHEN %2$I IS NULL THEN ''failed'' ELSE ''applied'' END, '
          'CASE WHEN %3$I IS NOT NULL THEN ''rolled back at '' || %3$I::timestamptz '
          '     WHEN %2$I IS NULL THEN ''started at '' || %4$I::timestamptz || '' and never finished (failed, or still running)'' '
          '        || coalesce(''; logs: '' || regexp_replace(left(%5$I, 500), ''\s+'', '' '', ''g''), '''') END, '
          'row_number() OVER (ORDER BY %4$I, %6$I) FROM %7$s',
          'migration_name', 'finished_at', 'rolled_back_at', 'started_at', 'logs', 'id', tbl)
        WHEN 'Rails' THEN format(
          'SELECT %I::text, NULL::timestamptz, ''applied'', NULL::text, row_number() OVER (ORDER BY %I COLLATE "C") FROM %s',
          'version', 'version', tbl)
        WHEN 'Ecto' THEN format(
          'SELECT %I::text, %s, ''applied'', NULL::text, row_number() OVER (ORDER BY %I) FROM %s',
          'version', CASE WHEN (SELECT t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                                  WHERE a.attrelid = rel AND a.attname = 'inserted_at') = 'timestamp'
                          THEN quote_ident('inserted_at') || ' AT TIME ZONE ''UTC''' -- Ecto writes UTC
                          ELSE quote_ident('inserted_at') || '::timestamptz' END, 'version', tbl)
        WHEN 'golang-migrate' THEN format(
          'SELECT %1$I::text, NULL::timestamptz, CASE WHEN %2$I THEN ''dirty'' ELSE ''applied'' END, '
          '''the version the database is at: golang-migrate records no history'' || CASE WHEN %2$I THEN '
          ''', and this migration failed part-way (dirty): repair by hand, then migrate force'' ELSE '''' END, '
          'row_number() OVER (ORDER BY %1$I) FROM %3$s', 'version', 'dirty', tbl)
        WHEN 'Django' THEN format(
          'SELECT %I || ''.'' || %I, %I::timestamptz, ''applied'', NULL::text, row_number() OVER (ORDER BY %I) FROM %s',
          'app', 'name', 'applied', 'id', tbl)
        WHEN 'Alembic' THEN format(
          'SELECT %I::text, NULL::timestamptz, ''applied'', '
          '''the current head: Alembic records only the revision the database is at, not the migrations before it'', '
          'row_number() OVER (ORDER BY %I COLLATE "C") FROM %s', 'version_num', 'version_num', tbl)
        WHEN 'Flyway' THEN format(
          'SELECT %1$I::text, CASE WHEN %2$I THEN %3$I::timestamptz END, CASE WHEN %2$I THEN ''applied'' ELSE ''failed'' END, '
          'concat_ws('', '', ''version '' || %4$I, %5$I, %6$I, CASE WHEN NOT %2$I THEN ''attempted at '' || %3$I::timestamptz END), '
          'row_number() OVER (ORDER BY %7$I) FROM %8$s',
          'script', 'success', 'installed_on', 'version', 'description', 'type', 'installed_rank', tbl)
        WHEN 'Liquibase' THEN format(
          'SELECT %1$I || ''::'' || %2$I || ''::'' || %3$I, CASE WHEN %4$I <> ''FAILED'' THEN %5$I::timestamptz END, '
          'CASE WHEN %4$I = ''FAILED'' THEN ''failed'' ELSE ''applied'' END, '
          'CASE %4$I WHEN ''FAILED'' THEN ''FAILED at '' || %5$I::timestamptz '
          '  WHEN ''MARK_RAN'' THEN ''MARK_RAN: recorded as run without running it'' ELSE %4$I::text END, '
          'row_number() OVER (ORDER BY %6$I, %5$I) FROM %7$s',
          'filename', 'id', 'author', 'exectype', 'dateexecuted', 'orderexecuted', tbl)
        WHEN 'goose' THEN format(
          'SELECT g.%1$I::text, CASE WHEN g.%2$I THEN g.%3$I::timestamptz END, '
          'CASE WHEN g.%2$I THEN ''applied'' ELSE ''rolled_back'' END, '
          'CASE WHEN NOT g.%2$I THEN ''rolled back at '' || g.%3$I::timestamptz END, row_number() OVER (ORDER BY g.%4$I) '
          'FROM (SELECT DISTINCT ON (%1$I) * FROM %5$s WHERE %1$I <> 0 ORDER BY %1$I, %4$I DESC) g',
          'version_id', 'is_applied', 'tstamp', 'id', tbl)
      END;
      BEGIN
        RETURN QUERY EXECUTE format('SELECT %L::text, h.m, h.a, h.s, %s::oid::regclass, h.d, h.o FROM (%s) h (m, a, s, d, o)',
                                    shape->>'tool', rel, q);
      EXCEPTION WHEN insufficient_privilege THEN
        RETURN QUERY SELECT shape->>'tool', NULL::text, NULL::timestamptz, 'unreadable'::text, rel::regclass,
          format('%s: its migrations were not read', SQLERRM), NULL::bigint;
      END;
    END LOOP;
  END LOOP;
END
$$;

CREATE FUNCTION fk_guard.migration_history()
RETURNS TABLE (tool text, migration text, applied_at timestamptz, status text, recorded_in regclass, detail text,
               ordinal bigint)
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
  SELECT * FROM fk_guard.migration_history_in(pg_catalog.current_schemas(true))
$$;

COMMENT ON FUNCTION fk_guard.migration_history() IS
'one row per migration recorded by a migration tool found on the search path (Sequelize, knex, TypeORM, node-pg-migrate, Prisma, Rails, Django, Alembic, Flyway, Liquibase, goose, Ecto, golang-migrate): tool, migration, applied_at, status (applied, failed, dirty, rolled_back, unreadable), recorded_in, detail, ordinal';

-- Not STRICT: a NULL min_severity is an error, never a silent pass.
CREATE FUNCTION fk_guard.assert_foreign_keys_in(min_severity text, checks text[], schemas name[], search_path name[])
RETURNS void
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  threshold int;
  n bigint;
  lines text;
BEGIN
  IF min_severity IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
      MESSAGE = 'argument min_severity of fk_guard.assert_foreign_keys() must not be null';
  END IF;
  threshold := CASE min_severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 WHEN 'notice' THEN 2 END;
  IF threshold IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = format('unknown severity "%s"', min_severity), HINT = 'Use error, warning or notice.';
  END IF;
  SELECT count(*), string_agg(format('%s %s: %s (%s) -> %s (%s)%s', f.severity, f.check_name, f.referencing_table,
                                     array_to_string(ARRAY(SELECT quote_ident(c) FROM unnest(f.referencing_columns) c), ', '),
                                     f.referenced_table,
                                     array_to_string(ARRAY(SELECT quote_ident(c) FROM unnest(f.referenced_columns) c), ', '),
                                     coalesce(', constraint ' || quote_ident(f.constraint_name), ', implied by its name')),
                              E'\n' ORDER BY f.ord)
    INTO n, lines
    FROM fk_guard.check_foreign_keys_in(schemas, checks, search_path) WITH ORDINALITY AS f(check_name, severity,
           referencing_table, referencing_columns, referenced_table, referenced_columns, constraint_name, detail,
           suggested_fix, ord)
   WHERE CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END <= threshold;
  IF n > 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'assert_failure',
      MESSAGE = format('%s foreign-key finding%s at severity %s or above', n, CASE WHEN n = 1 THEN '' ELSE 's' END,
                       min_severity),
      DETAIL = lines,
      HINT = 'SELECT * FROM fk_guard.check_foreign_keys() explains each one and gives the SQL that fixes it; '
             'fk_guard.ignored records the ones you accept.';
  END IF;
END
$$;

CREATE FUNCTION fk_guard.assert_foreign_keys(min_severity text DEFAULT 'warning', checks text[] DEFAULT NULL,
                                             schemas name[] DEFAULT NULL)
RETURNS void
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
  SELECT fk_guard.assert_foreign_keys_in($1, $2, $3, pg_catalog.current_schemas(true))
$$;

COMMENT ON FUNCTION fk_guard.assert_foreign_keys(text, text[], name[]) IS
'raises an error (SQLSTATE P0004) listing every finding of check_foreign_keys() at or above min_severity (error, warning, notice), one line each, for CI pipelines; checks and schemas limit it';

-- Not STRICT: a NULL value gives NULL; a NULL target or target_typmod is an error.
CREATE FUNCTION fk_guard.converts(value anyelement, target regtype, target_typmod integer DEFAULT -1)
RETURNS boolean
LANGUAGE c VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'converts';

COMMENT ON FUNCTION fk_guard.converts(anyelement, regtype, integer) IS
'does the conversion that profile_column() and fix_plan() use succeed for this value?';

CREATE FUNCTION fk_guard.classify_key_pair(
  referencing_type text,
  referenced_type text,
  referencing_collation text DEFAULT NULL,
  referenced_collation text DEFAULT NULL,
  referenced_opclass text DEFAULT NULL,
  OUT kind text,
  OUT severity text,
  OUT detail text,
  OUT kinds text[])
RETURNS record
LANGUAGE c STABLE PARALLEL SAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'classify_key_pair';

COMMENT ON FUNCTION fk_guard.classify_key_pair(text, text, text, text, text) IS
'the verdict for a what-if key pair: a column of referencing_type referencing a unique key of referenced_type';

CREATE FUNCTION fk_guard.selftest_error_boundary(failure text)
RETURNS text
LANGUAGE c VOLATILE STRICT SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'selftest_error_boundary';

COMMENT ON FUNCTION fk_guard.selftest_error_boundary(text) IS
'support: raises a C++ or PostgreSQL failure under C++ frames to show it surfaces as a clean ERROR';

REVOKE ALL ON FUNCTION fk_guard.selftest_error_boundary(text) FROM PUBLIC;

-- The migration guard. Its function has no SET search_path on purpose: it
-- resolves the statement's names with the session's search_path, exactly as
-- PostgreSQL is about to.
CREATE FUNCTION fk_guard.guard_ddl_start()
RETURNS event_trigger
LANGUAGE c SECURITY INVOKER
AS 'MODULE_PATHNAME', 'guard_ddl_start';

REVOKE ALL ON FUNCTION fk_guard.guard_ddl_start() FROM PUBLIC;

CREATE EVENT TRIGGER pg_fk_guard_ddl_start ON ddl_command_start
  WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
  EXECUTE FUNCTION fk_guard.guard_ddl_start();

CREATE FUNCTION fk_guard.guard_ddl_end()
RETURNS event_trigger
LANGUAGE c SECURITY INVOKER
AS 'MODULE_PATHNAME', 'guard_ddl_end';

REVOKE ALL ON FUNCTION fk_guard.guard_ddl_end() FROM PUBLIC;

CREATE EVENT TRIGGER pg_fk_guard_ddl_end ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
  EXECUTE FUNCTION fk_guard.guard_ddl_end();
