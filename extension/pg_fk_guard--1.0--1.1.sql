-- pg_fk_guard: upgrade from 1.0 to 1.1 (ALTER EXTENSION pg_fk_guard UPDATE).
--
-- CHANGING THE SQL INTERFACE: until 1.1 is released, every change made to
-- extension/pg_fk_guard.sql (the newest version's script) must also be made
-- here, so that an updated 1.0 installation ends with exactly what a fresh
-- install of 1.1 has. sql/oldextversions.sql compares the two and fails on
-- any difference.
--
-- The script runs with search_path = fk_guard, pg_temp (1.0's schema): name
-- every object fk_guard.<name> all the same.

\echo Use "ALTER EXTENSION pg_fk_guard UPDATE TO '1.1'" to load this file. \quit

-- Schema fk_guard becomes a member of the extension, as in a fresh 1.1
-- install, so that pg_dump stops writing a CREATE SCHEMA fk_guard of its own.
-- 1.0 was installed "in" fk_guard (the control file named it), and a schema
-- that holds its own extension cannot be a member of it; 1.1 is installed in
-- pg_catalog, as the control file now says. ALTER EXTENSION SET SCHEMA
-- cannot move an extension that is not relocatable, so the catalog rows are
-- changed directly: the extension's home becomes pg_catalog (on which, being
-- pinned, no dependency is recorded, just as CREATE EXTENSION records none),
-- then fk_guard joins the extension. Nothing else moves: every object stays
-- in fk_guard with its name, OID, owner and privileges.
DELETE FROM pg_catalog.pg_depend
 WHERE classid = 'pg_catalog.pg_extension'::pg_catalog.regclass
   AND objid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'pg_fk_guard')
   AND objsubid = 0
   AND refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
   AND refobjid = 'fk_guard'::pg_catalog.regnamespace
   AND deptype = 'n';

UPDATE pg_catalog.pg_extension
   SET extnamespace = 'pg_catalog'::pg_catalog.regnamespace
 WHERE extname = 'pg_fk_guard';

ALTER EXTENSION pg_fk_guard ADD SCHEMA fk_guard;

-- fix_plan() gains allow_cascade and constraint_name (on_unconvertible => 'delete' stops when
-- ON DELETE actions would change rows of other tables, unless allowed). A
-- second overload would make calls with five or fewer arguments ambiguous,
-- so the five-argument function is replaced.
DROP FUNCTION fk_guard.fix_plan(regclass, name, regclass, name, text);

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

-- NULL arguments are errors that name the argument (a NULL value given to
-- converts() gives NULL), not an empty result or a silent pass: the C bodies
-- check them, so the functions are no longer STRICT.
ALTER FUNCTION fk_guard.diagnose_fk_mismatches_in(boolean, boolean, name[]) CALLED ON NULL INPUT;
ALTER FUNCTION fk_guard.assert_no_mismatches_in(text, name[]) CALLED ON NULL INPUT;
ALTER FUNCTION fk_guard.converts(anyelement, regtype, integer) CALLED ON NULL INPUT;

-- fk_guard.change_key_type_plan(): new in 1.1.
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

-- check_foreign_keys(), its ignore list and report(): new in 1.1.
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
    {"tool": "Laravel", "table": "migrations", "columns": {"id": "I", "migration": "S", "batch": "I"}},
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
        WHEN 'Laravel' THEN format(
          'SELECT %I::text, NULL::timestamptz, ''applied'', ''batch '' || %I || '' (Laravel records no time of running)'', '
          'row_number() OVER (ORDER BY %I) FROM %s', 'migration', 'batch', 'id', tbl)
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
'one row per migration recorded by a migration tool found on the search path (Sequelize, knex, TypeORM, node-pg-migrate, Prisma, Rails, Laravel, Django, Alembic, Flyway, Liquibase, goose, Ecto, golang-migrate): tool, migration, applied_at, status (applied, failed, dirty, rolled_back, unreadable), recorded_in, detail, ordinal';

-- fk_guard.explain(): new in 1.1. One column's whole picture: the types of
-- the column and of the key it references (declared, or implied by its
-- name), the verdict, the data, the objects on both columns and what a
-- conversion does to each, the migrations the tools recorded, and the plans.
-- The C half (explain_facts_in) judges, profiles the data once and builds
-- both plans from that profile; explain_in adds the catalog and the history
-- and lays the report out. Like migration_history(), a one-line SQL wrapper
-- hands the caller's search_path to the bodies, whose SET clause hides it.
CREATE FUNCTION fk_guard.explain_facts_in(
  tbl regclass,
  col name,
  search_path name[],
  OUT source text,
  OUT constraint_name name,
  OUT referenced_table regclass,
  OUT referenced_column name,
  OUT other_candidates text[],
  OUT referencing_type text,
  OUT referenced_type text,
  OUT kind text,
  OUT severity text,
  OUT verdict text,
  OUT conversion_kind text,
  OUT data_read boolean,
  OUT data_not_read text,
  OUT rows_total bigint,
  OUT rows_null bigint,
  OUT rows_convertible bigint,
  OUT rows_unconvertible bigint,
  OUT rows_orphaned bigint,
  OUT sample_unconvertible text[],
  OUT sample_orphaned text[],
  OUT conversion text,
  OUT data_ms double precision,
  OUT fix_plan_call text,
  OUT fix_plan text,
  OUT fix_plan_effect text,
  OUT fix_plan_refused text,
  OUT key_plan_call text,
  OUT key_plan text,
  OUT key_plan_effect text,
  OUT key_plan_refused text)
RETURNS record
LANGUAGE c VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'explain_facts_in';

-- Not STRICT: a NULL argument is an error that names it.
CREATE FUNCTION fk_guard.explain_in(tbl regclass, col name, format text, search_path name[])
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  f record;
  att int2;
  refatt int2;
  cols jsonb;
  objs jsonb := '[]';
  hist jsonb;
  doc jsonb;
  out text;
  o jsonb;
  c jsonb;
  h jsonb;
  s text;
BEGIN
  IF explain_in.format IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
      MESSAGE = 'argument format of fk_guard.explain() must not be null';
  END IF;
  IF explain_in.format NOT IN ('text', 'json') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = pg_catalog.format('unknown explain format %L', explain_in.format), HINT = 'Use text or json.';
  END IF;
  IF explain_in.search_path IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
      MESSAGE = 'argument search_path of fk_guard.explain_in() must not be null';
  END IF;
  -- Checks tbl and col (NULL, dropped, not a table, no such column) first.
  f := fk_guard.explain_facts_in(explain_in.tbl, explain_in.col, explain_in.search_path);
  SELECT a.attnum INTO att FROM pg_attribute a
   WHERE a.attrelid = explain_in.tbl AND a.attname = explain_in.col AND NOT a.attisdropped;
  IF f.referenced_table IS NOT NULL THEN
    SELECT a.attnum INTO refatt FROM pg_attribute a
     WHERE a.attrelid = f.referenced_table AND a.attname = f.referenced_column AND NOT a.attisdropped;
  END IF;

  -- (1) Both columns: type, modifier, collation, domain, NULLs, default.
  SELECT jsonb_agg(jsonb_build_object(
           'side', x.side, 'table', x.rel::regclass::text, 'column', a.attname,
           'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
           -- the column's type modifier, or its domain's
           'typmod', CASE WHEN a.atttypmod >= 0 THEN a.atttypmod
                          WHEN t.typtype = 'd' AND t.typtypmod >= 0 THEN t.typtypmod END,
           'base_type', CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod)
                             ELSE pg_catalog.format_type(a.atttypid, a.atttypmod) END,
           'domain', CASE WHEN t.typtype = 'd' THEN a.atttypid::regtype::text END,
           'collation', (SELECT quote_ident(cl.collname) FROM pg_collation cl
                         WHERE cl.oid = a.attcollation AND cl.oid <> 'pg_catalog.default'::regcollation),
           'not_null', a.attnotnull,
           'default', (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
                        WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.attgenerated = ''),
           'identity', CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END)
           ORDER BY x.n)
    INTO cols
    FROM (VALUES (1, 'column', explain_in.tbl::oid, att), (2, 'references', f.referenced_table::oid, refatt)) AS x(n, side, rel, num)
    JOIN pg_attribute a ON a.attrelid = x.rel AND a.attnum = x.num
    JOIN pg_type t ON t.oid = a.atttypid;

  -- (3) The objects on both columns, and what converting the column (fix_plan)
  -- or changing the key (change_key_type_plan) does to each.
  WITH target(n, side, rel, num, plan) AS (
    VALUES (1, 'column', explain_in.tbl::oid, att, f.fix_plan),
           (2, 'references', f.referenced_table::oid, refatt, f.key_plan)),
  found AS (
    -- Constraints on the column.
    SELECT t.n, t.side, t.rel, t.num, 1 AS ord, c.conname::text AS name,
           CASE c.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN 'foreign key'
                          WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion' WHEN 'n' THEN 'not null' ELSE 'constraint' END AS kind,
           pg_get_constraintdef(c.oid) AS definition,
           CASE WHEN c.contype = 'n' THEN 'kept' ELSE 'rebuilt' END AS effect,
           CASE c.contype
             WHEN 'c' THEN 'ALTER COLUMN ... TYPE checks it again on the converted values: it fails there if the expression does not hold for them.'
             WHEN 'f' THEN 'ALTER COLUMN ... TYPE rebuilds it and checks it again; it fails there unless its key has the new type too.'
             WHEN 'n' THEN 'ALTER COLUMN ... TYPE keeps it.'
             ELSE 'ALTER COLUMN ... TYPE rebuilds its index.' END AS why
      FROM target t JOIN pg_constraint c ON c.conrelid = t.rel AND t.num = ANY (c.conkey)
     WHERE t.num IS NOT NULL
    UNION ALL
    -- Foreign keys of other columns that reference it.
    SELECT t.n, t.side, t.rel, t.num, 2, c.conname::text, 'referenced by foreign key',
           pg_catalog.format('%s: %s', c.conrelid::regclass, pg_get_constraintdef(c.oid)),
           CASE WHEN t.side = 'references' AND t.plan IS NOT NULL THEN 'converted' ELSE 'trips' END,
           CASE WHEN t.side = 'references' AND t.plan IS NOT NULL
                THEN 'change_key_type_plan() converts its column too and adds it again with its whole definition.'
                ELSE 'Converting this column alone makes PostgreSQL rebuild it, which fails unless its referencing column gets the same type: change_key_type_plan() converts them together.' END
      FROM target t JOIN pg_constraint c ON c.confrelid = t.rel AND c.contype = 'f' AND t.num = ANY (c.confkey)
     WHERE t.num IS NOT NULL AND c.conparentid = 0
    UNION ALL
    -- Indexes (not a constraint's), sequences it owns, rules and views,
    -- policies, column triggers, generated columns and statistics that
    -- depend on the column.
    SELECT t.n, t.side, t.rel, t.num, 3,
           CASE WHEN d.classid = 'pg_class'::regclass THEN d.objid::regclass::text
                WHEN d.classid = 'pg_rewrite'::regclass THEN (SELECT r.ev_class::regclass::text FROM pg_rewrite r WHERE r.oid = d.objid)
                WHEN d.classid = 'pg_policy'::regclass THEN (SELECT quote_ident(p.polname) FROM pg_policy p WHERE p.oid = d.objid)
                WHEN d.classid = 'pg_trigger'::regclass THEN (SELECT quote_ident(g.tgname) FROM pg_trigger g WHERE g.oid = d.objid)
                WHEN d.classid = 'pg_attrdef'::regclass THEN (SELECT quote_ident(a.attname) FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum WHERE ad.oid = d.objid)
                WHEN d.classid = 'pg_statistic_ext'::regclass THEN (SELECT quote_ident(x.stxname) FROM pg_statistic_ext x WHERE x.oid = d.objid)
                ELSE pg_describe_object(d.classid, d.objid, d.objsubid) END,
           CASE WHEN d.classid = 'pg_class'::regclass THEN
                  CASE (SELECT r.relkind FROM pg_class r WHERE r.oid = d.objid) WHEN 'S' THEN 'sequence' ELSE 'index' END
                WHEN d.classid = 'pg_rewrite'::regclass THEN
                  CASE (SELECT r.relkind FROM pg_rewrite w JOIN pg_class r ON r.oid = w.ev_class WHERE w.oid = d.objid)
                    WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'rule' END
                WHEN d.classid = 'pg_policy'::regclass THEN 'policy'
                WHEN d.classid = 'pg_trigger'::regclass THEN 'trigger'
                WHEN d.classid = 'pg_attrdef'::regclass THEN 'generated column'
                WHEN d.classid = 'pg_statistic_ext'::regclass THEN 'statistics'
                ELSE 'object' END,
           CASE WHEN d.classid = 'pg_class'::regclass THEN
                  CASE (SELECT r.relkind FROM pg_class r WHERE r.oid = d.objid) WHEN 'S' THEN NULL ELSE pg_get_indexdef(d.objid) END
                WHEN d.classid = 'pg_trigger'::regclass THEN pg_get_triggerdef(d.objid)
                ELSE NULL END,
           CASE WHEN d.classid = 'pg_class'::regclass THEN
                  CASE (SELECT r.relkind FROM pg_class r WHERE r.oid = d.objid) WHEN 'S' THEN
                    CASE WHEN t.plan LIKE '%-- Dropped: the identity of%' THEN 'dropped' ELSE 'kept' END
                  ELSE 'rebuilt' END
                WHEN d.classid = 'pg_trigger'::regclass THEN 'kept'
                WHEN d.classid = 'pg_statistic_ext'::regclass THEN 'rebuilt'
                ELSE 'trips' END,
           CASE WHEN d.classid = 'pg_class'::regclass THEN
                  CASE (SELECT r.relkind FROM pg_class r WHERE r.oid = d.objid) WHEN 'S' THEN
                    'The sequence behind the column''s DEFAULT or identity; a key whose type has no cast from it gets another default (see the plan).'
                  ELSE 'ALTER COLUMN ... TYPE rebuilds it.' END
                WHEN d.classid = 'pg_trigger'::regclass THEN 'ALTER COLUMN ... TYPE fires no trigger; it fires on the UPDATE or DELETE that on_unconvertible => ''null'' or ''delete'' runs.'
                WHEN d.classid = 'pg_statistic_ext'::regclass THEN 'ALTER COLUMN ... TYPE rebuilds it; run ANALYZE afterwards.'
                ELSE 'ALTER COLUMN ... TYPE refuses a column that it uses: drop it first and create it again after the conversion.' END
      FROM target t
      JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = t.rel AND d.refobjsubid = t.num
     WHERE t.num IS NOT NULL AND d.deptype IN ('n', 'a')
       AND d.classid IN ('pg_class'::regclass, 'pg_rewrite'::regclass, 'pg_policy'::regclass, 'pg_trigger'::regclass,
                         'pg_attrdef'::regclass, 'pg_statistic_ext'::regclass)
       -- its own DEFAULT is listed below; a view's rule once per view
       AND NOT (d.classid = 'pg_attrdef'::regclass
                AND EXISTS (SELECT 1 FROM pg_attrdef ad WHERE ad.oid = d.objid AND ad.adrelid = t.rel AND ad.adnum = t.num))
       AND NOT (d.classid = 'pg_class'::regclass
                AND EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = d.objid AND c.conrelid = t.rel))
    UNION ALL
    -- Its DEFAULT.
    SELECT t.n, t.side, t.rel, t.num, 4, NULL, 'default', pg_get_expr(ad.adbin, ad.adrelid),
           CASE WHEN t.plan LIKE '%-- Cannot keep: DEFAULT%' OR t.plan LIKE '%-- Dropped: the DEFAULT of%' THEN 'dropped'
                WHEN t.plan IS NULL THEN 'converted' ELSE 'kept' END,
           CASE WHEN t.plan LIKE '%-- Cannot keep: DEFAULT%' OR t.plan LIKE '%-- Dropped: the DEFAULT of%'
                THEN 'It cannot become the new type: the plan drops it (its header says what replaces it).'
                WHEN t.plan IS NULL THEN 'ALTER COLUMN ... TYPE converts it too, and fails if it cannot become the new type.'
                ELSE 'It becomes the new type with the column.' END
      FROM target t JOIN pg_attrdef ad ON ad.adrelid = t.rel AND ad.adnum = t.num
      JOIN pg_attribute a ON a.attrelid = t.rel AND a.attnum = t.num AND a.attgenerated = ''
     WHERE t.num IS NOT NULL
    UNION ALL
    -- Triggers on the table (not PostgreSQL's own for foreign keys, not the column triggers above).
    SELECT t.n, t.side, t.rel, t.num, 5, quote_ident(g.tgname), 'trigger', pg_get_triggerdef(g.oid), 'kept',
           'ALTER COLUMN ... TYPE fires no trigger; it fires on the UPDATE or DELETE that on_unconvertible => ''null'' or ''delete'' runs.'
      FROM target t JOIN pg_trigger g ON g.tgrelid = t.rel AND NOT g.tgisinternal
     WHERE t.num IS NOT NULL AND g.tgattr::int2[] = '{}'
    UNION ALL
    -- Publications of the table.
    SELECT t.n, t.side, t.rel, t.num, 6, quote_ident(p.pubname), 'publication', NULL, 'replicated',
           'The type change is not replicated: change the column on every subscriber first, or its apply fails on the new values.'
      FROM target t JOIN pg_publication p ON p.puballtables
                                         OR EXISTS (SELECT 1 FROM pg_publication_rel pr WHERE pr.prpubid = p.oid AND pr.prrelid = t.rel)
                                         OR EXISTS (SELECT 1 FROM pg_publication_namespace pn JOIN pg_class r ON r.relnamespace = pn.pnnspid
                                                     WHERE pn.pnpubid = p.oid AND r.oid = t.rel)
     WHERE t.num IS NOT NULL)
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'on', x.side, 'kind', x.kind, 'name', x.name, 'definition', x.definition, 'effect', x.effect, 'why', x.why)
           ORDER BY x.n, x.ord, x.kind, x.name), '[]')
    INTO objs FROM found x;

  -- (4) The migrations each tool recorded: the last three applied per
  -- table, and every one that failed, is dirty, was rolled back or could
  -- not be read.
  SELECT jsonb_build_object(
           'tables', coalesce((SELECT jsonb_agg(jsonb_build_object(
               'tool', g.tool, 'recorded_in', g.recorded_in::text, 'applied', g.applied,
               'last', g.last) ORDER BY g.recorded_in::text)
             FROM (SELECT m.tool, m.recorded_in, count(*) FILTER (WHERE m.status = 'applied') AS applied,
                          coalesce(jsonb_agg(jsonb_build_object('migration', m.migration, 'applied_at', m.applied_at)
                                             ORDER BY m.ordinal DESC) FILTER (WHERE m.status = 'applied' AND m.rank <= 3), '[]') AS last
                     FROM (SELECT h.*, row_number() OVER (PARTITION BY h.recorded_in, h.status ORDER BY h.ordinal DESC) AS rank
                             FROM fk_guard.migration_history_in(explain_in.search_path) h) m
                    GROUP BY m.tool, m.recorded_in) g), '[]'),
           'not_applied', coalesce((SELECT jsonb_agg(jsonb_build_object(
               'tool', h.tool, 'recorded_in', h.recorded_in::text, 'migration', h.migration, 'status', h.status,
               'applied_at', h.applied_at, 'detail', h.detail) ORDER BY h.recorded_in::text, h.ordinal)
             FROM fk_guard.migration_history_in(explain_in.search_path) h WHERE h.status <> 'applied'), '[]'))
    INTO hist;

  doc := jsonb_build_object(
    'table', explain_in.tbl::text,
    'column', explain_in.col,
    'types', jsonb_build_object(
      'column', cols->0,
      'references', CASE WHEN f.referenced_table IS NOT NULL THEN (cols->1) || jsonb_build_object(
                      'source', f.source, 'constraint', f.constraint_name, 'other_candidates', to_jsonb(f.other_candidates)) END,
      'verdict', CASE WHEN f.referenced_table IS NOT NULL THEN jsonb_build_object(
                   'kind', f.kind, 'severity', f.severity, 'detail', f.verdict, 'conversion', f.conversion_kind) END),
    'data', jsonb_build_object(
      'read', f.data_read, 'not_read', f.data_not_read, 'rows_total', f.rows_total, 'rows_null', f.rows_null,
      'rows_convertible', f.rows_convertible, 'rows_unconvertible', f.rows_unconvertible,
      'rows_orphaned', f.rows_orphaned, 'sample_unconvertible', to_jsonb(f.sample_unconvertible),
      'sample_orphaned', to_jsonb(f.sample_orphaned), 'conversion', f.conversion,
      'read_ms', round(f.data_ms::numeric, 1)),
    'objects', objs,
    'migrations', hist,
    'plans', jsonb_build_object(
      'fix_plan', CASE WHEN coalesce(f.fix_plan, f.fix_plan_refused) IS NOT NULL THEN jsonb_build_object(
                    'call', f.fix_plan_call, 'effect', f.fix_plan_effect, 'refused', f.fix_plan_refused, 'script', f.fix_plan) END,
      'change_key_type_plan', CASE WHEN coalesce(f.key_plan, f.key_plan_refused) IS NOT NULL THEN jsonb_build_object(
                    'call', f.key_plan_call, 'effect', f.key_plan_effect, 'refused', f.key_plan_refused, 'script', f.key_plan) END));
  IF explain_in.format = 'json' THEN
    RETURN jsonb_pretty(doc);
  END IF;

  -- The text report, from the same document.
  out := pg_catalog.format(E'fk_guard.explain: %s.%s\n', explain_in.tbl, quote_ident(explain_in.col));
  out := out || E'\n1. Types\n';
  FOR c IN SELECT e FROM jsonb_array_elements(cols) AS e LOOP
    out := out || pg_catalog.format(E'  %s %s.%s: %s%s%s%s%s%s\n',
      CASE c->>'side' WHEN 'column' THEN 'column    ' ELSE 'references' END,
      c->>'table', quote_ident(c->>'column'), c->>'type',
      CASE WHEN c ? 'domain' AND c->>'domain' IS NOT NULL THEN pg_catalog.format(' (domain over %s)', c->>'base_type') ELSE '' END,
      CASE WHEN c->>'collation' IS NOT NULL THEN ' COLLATE ' || (c->>'collation') ELSE '' END,
      CASE WHEN (c->>'not_null')::boolean THEN ', NOT NULL' ELSE ', nullable' END,
      CASE WHEN c->>'default' IS NOT NULL THEN ', DEFAULT ' || (c->>'default') ELSE '' END,
      CASE WHEN c->>'identity' IS NOT NULL THEN ', GENERATED ' || (c->>'identity') || ' AS IDENTITY' ELSE '' END);
  END LOOP;
  IF f.referenced_table IS NULL THEN
    out := out || E'  No foreign key is declared on the column, and its name implies no table on the search path with a single-column primary key: there is no referenced column to compare it with.\n';
  ELSE
    out := out || pg_catalog.format(E'  %s\n  Verdict: %s (%s). %s\n',
      CASE WHEN f.source = 'declared' THEN pg_catalog.format('Declared: foreign key %s.', quote_ident(f.constraint_name))
           ELSE 'Implied by the column''s name: no foreign key is declared.' END,
      f.kind, f.severity, f.verdict);
    out := out || pg_catalog.format(E'  Conversion to the key''s type: %s.\n', CASE f.conversion_kind
      WHEN 'assignment' THEN 'by assignment (ALTER COLUMN ... TYPE needs no USING)'
      WHEN 'explicit' THEN 'by an explicit cast (ALTER COLUMN ... TYPE needs USING)'
      WHEN 'null' THEN 'every value is NULL (USING NULL)'
      ELSE 'no cast exists' END);
  END IF;

  out := out || E'\n2. Data\n';
  IF NOT f.data_read THEN
    out := out || pg_catalog.format(E'  Not read: %s.\n', f.data_not_read);
  ELSE
    out := out || pg_catalog.format(E'  %s holds %s row(s), %s with %s NULL', explain_in.tbl, f.rows_total, f.rows_null,
                                    quote_ident(explain_in.col));
    IF f.referenced_table IS NULL THEN
      out := out || E'.\n';
    ELSE
      out := out || pg_catalog.format(E'; %s value(s) convert to %s, %s cannot%s', f.rows_convertible, f.referenced_type,
        f.rows_unconvertible,
        CASE WHEN cardinality(f.sample_unconvertible) > 0
             THEN ' (for example ' || (SELECT string_agg(quote_literal(v), ', ') FROM unnest(f.sample_unconvertible) v) || ')'
             ELSE '' END);
      out := out || CASE WHEN f.rows_orphaned IS NULL THEN E'.\n'
        ELSE pg_catalog.format(E'; %s of those that convert match no key of %s.%s%s.\n', f.rows_orphaned, f.referenced_table,
               quote_ident(f.referenced_column),
               CASE WHEN cardinality(f.sample_orphaned) > 0
                    THEN ' (for example ' || (SELECT string_agg(quote_literal(v), ', ') FROM unnest(f.sample_orphaned) v) || ')'
                    ELSE '' END) END;
      out := out || pg_catalog.format(E'  The conversion these counts use: %s.\n', f.conversion);
    END IF;
  END IF;

  out := out || E'\n3. Objects on the columns\n';
  IF jsonb_array_length(objs) = 0 THEN
    out := out || E'  None: no constraint, index, default, trigger, view, policy or publication.\n';
  END IF;
  FOR o IN SELECT e FROM jsonb_array_elements(objs) AS e LOOP
    out := out || pg_catalog.format(E'  %s %s%s%s: %s. %s\n',
      CASE o->>'on' WHEN 'column' THEN quote_ident(explain_in.col) ELSE f.referenced_table::text || '.' || quote_ident(f.referenced_column) END,
      o->>'kind', coalesce(' ' || (o->>'name'), ''), coalesce(' (' || (o->>'definition') || ')', ''), o->>'effect', o->>'why');
  END LOOP;

  out := out || E'\n4. Migration history\n';
  IF jsonb_array_length(hist->'tables') = 0 THEN
    out := out || E'  No migration tool''s table on the search path.\n';
  END IF;
  FOR h IN SELECT e FROM jsonb_array_elements(hist->'tables') AS e LOOP
    out := out || pg_catalog.format(E'  %s (%s): %s applied%s\n', h->>'tool', h->>'recorded_in', h->>'applied',
      CASE WHEN jsonb_array_length(h->'last') = 0 THEN '.'
           ELSE '; the last: ' || (SELECT string_agg(coalesce(l->>'migration', '?') || coalesce(' (' || (l->>'applied_at')::timestamptz::text || ')', ''), ', ')
                                     FROM jsonb_array_elements(h->'last') l) || '.' END);
  END LOOP;
  IF jsonb_array_length(hist->'tables') > 0 AND jsonb_array_length(hist->'not_applied') = 0 THEN
    out := out || E'  No failed, dirty, rolled-back or unreadable migration recorded.\n';
  END IF;
  FOR h IN SELECT e FROM jsonb_array_elements(hist->'not_applied') AS e LOOP
    out := out || pg_catalog.format(E'  %s: %s %s in %s%s\n', upper(h->>'status'), h->>'tool', coalesce(h->>'migration', '(no name)'),
      h->>'recorded_in', coalesce(': ' || replace(h->>'detail', E'\n', ' '), ''));
  END LOOP;

  out := out || E'\n5. Plans\n';
  IF f.referenced_table IS NULL THEN
    out := out || E'  None: with no referenced column there is nothing to convert the column to.\n';
  ELSIF f.fix_plan IS NULL AND f.fix_plan_refused IS NULL AND f.key_plan IS NULL AND f.key_plan_refused IS NULL THEN
    out := out || CASE WHEN f.source = 'declared' AND f.kind = 'none'
                       THEN E'  None needed: the foreign key exists and the types match.\n'
                       ELSE E'  No plan: ' || f.verdict || E'\n' END;
  END IF;
  IF f.fix_plan_refused IS NOT NULL THEN
    out := out || pg_catalog.format(E'  fix_plan() cannot write a plan: %s\n', f.fix_plan_refused);
  ELSIF f.fix_plan IS NOT NULL THEN
    out := out || pg_catalog.format(E'  %s\n  %s\n\n%s\n', f.fix_plan_call, f.fix_plan_effect, rtrim(f.fix_plan, E'\n'));
  END IF;
  IF f.key_plan_refused IS NOT NULL THEN
    out := out || pg_catalog.format(E'  change_key_type_plan() cannot write a plan: %s\n', f.key_plan_refused);
  ELSIF f.key_plan IS NOT NULL THEN
    out := out || pg_catalog.format(E'\n  Or change the key instead: %s\n  %s\n\n%s\n', f.key_plan_call, f.key_plan_effect,
                                    rtrim(f.key_plan, E'\n'));
  END IF;
  RETURN out;
END
$$;

CREATE FUNCTION fk_guard.explain(tbl regclass, col name, format text DEFAULT 'text')
RETURNS text
LANGUAGE sql VOLATILE SECURITY INVOKER
AS $$
  SELECT fk_guard.explain_in($1, $2, $3, pg_catalog.current_schemas(true))
$$;

COMMENT ON FUNCTION fk_guard.explain(regclass, name, text) IS
'one column''s whole picture as text or json: both columns'' types with the verdict, what the data holds, the objects on both columns and what a conversion does to each, the migrations the tools recorded, and the plans (fix_plan(), change_key_type_plan()) with what each does to this data';

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

-- On a Citus cluster, diagnose_fk_mismatches() reports keys Citus would
-- refuse under Citus's own kinds.
COMMENT ON FUNCTION fk_guard.diagnose_fk_mismatches(boolean, boolean) IS
'one row per foreign-key column pair (declared, or implied by naming) whose types do not match, or per key Citus would refuse (kinds citus_distribution_type, citus_not_colocated, citus_distribution_column, citus_referential_action, citus_reference_to_distributed, citus_distributed_to_local, citus_referenced_not_distributed): kind, severity, explanation, fix, and with check_data the data profile';
