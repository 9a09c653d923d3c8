-- The server-level property test's checks (test/run_proptest.sh loads this
-- file, then the cases test/proptest/gen.py writes). For every script that
-- fix_plan() or diagnose_fk_mismatches().suggested_fix generates:
--   * it parses with the server's raw parser (fkg_testkit.parse_statements),
--     with standard_conforming_strings on and off, to the same trees;
--   * its statement tags are exactly its "-- Statements:" line;
--   * each DO body compiles as PL/pgSQL;
--   * run (as superuser, in a subtransaction rolled back afterwards), it ends
--     with the promised foreign key (validated; a declared one keeps its
--     whole definition), the column has the referenced column's type, the
--     data is what the mode promises, and a catalog snapshot of both tables
--     differs only in what the plan announced;
--   * no injection: no role became superuser, no object appeared or
--     vanished, and the canary sequence (which hostile names try to call)
--     did not move, even for scripts that failed;
--   * no owner code: functions the table owner left in CHECK constraints,
--     row triggers and domain checks (which move the trap sequence when
--     called by a superuser) do not run, neither when fix_plan() plans nor
--     when the script runs.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
CREATE EXTENSION IF NOT EXISTS fkg_testkit;
CREATE SCHEMA fkg_pt;
CREATE SEQUENCE public.fkg_canary;
GRANT USAGE ON SEQUENCE public.fkg_canary TO PUBLIC;
-- Moved by the table owners' functions when a superuser runs them.
CREATE SEQUENCE public.fkg_trap;
GRANT USAGE ON SEQUENCE public.fkg_trap TO PUBLIC;
CREATE FUNCTION fkg_pt.trap() RETURNS text LANGUAGE sql AS
  $$ SELECT last_value || '/' || is_called FROM public.fkg_trap $$;

-- One row per generated case: where it is and what each mode must do.
-- expect: {"<mode>": {"outcomes": ["success", "stop", "refuse"], "data": {pk: value}}}
CREATE TABLE fkg_pt.cases (
  case_id int PRIMARY KEY, kind text NOT NULL,
  nsp name NOT NULL, tbl name NOT NULL, col name NOT NULL, pk name NOT NULL,
  rnsp name NOT NULL, rtbl name NOT NULL, rcol name NOT NULL,
  declared boolean NOT NULL, expect jsonb NOT NULL);

CREATE TABLE fkg_pt.results (
  case_id int, source text, outcome text, ok boolean, problems text[], script text);

-- Whatever must not change, transactional or not: superusers, object counts,
-- the canary sequence.
CREATE FUNCTION fkg_pt.world() RETURNS text LANGUAGE sql AS $$
  SELECT concat_ws(' | ',
    'superusers: ' || (SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_catalog.pg_roles WHERE rolsuper),
    'roles: ' || (SELECT count(*) FROM pg_catalog.pg_roles),
    'relations: ' || (SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname !~ '^pg_(toast|temp|toast_temp)' AND c.relkind <> 't'),
    'functions: ' || (SELECT count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname !~ '^pg_(temp|toast_temp)'),
    'temporary functions: ' || (SELECT count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname ~ '^pg_temp'),
    'schemas: ' || (SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname !~ '^pg_(temp|toast_temp)_'),
    'casts: ' || (SELECT count(*) FROM pg_catalog.pg_cast),
    'canary: ' || (SELECT last_value || '/' || is_called FROM public.fkg_canary))
$$;

-- The converted column's foreign keys to the referenced table.
CREATE FUNCTION fkg_pt.fks(rel oid, col name, refrel oid)
RETURNS TABLE (conname name, def text, validated boolean, actions text) LANGUAGE sql AS $$
  SELECT c.conname, pg_catalog.pg_get_constraintdef(c.oid), c.convalidated,
         concat_ws(',', c.confupdtype, c.confdeltype, c.confmatchtype, c.condeferrable, c.condeferred)
  FROM pg_catalog.pg_constraint c
  WHERE c.contype = 'f' AND c.conrelid = rel AND c.confrelid = refrel
    AND c.conkey = ARRAY[(SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = rel AND attname = col)]
  ORDER BY 1
$$;

-- Everything about both tables that a repair could change, one line each,
-- with the converted column's type (and its default's expression) masked:
-- those are announced changes. The foreign keys of fks() are left out (they
-- are checked on their own).
CREATE FUNCTION fkg_pt.snapshot(rel oid, col name, refrel oid) RETURNS SETOF text LANGUAGE sql AS $$
  WITH rels AS (
    SELECT c.oid, n.nspname || '.' || c.relname AS name, c.relkind, c.relowner, c.relacl, c.relrowsecurity
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid IN (rel, refrel)),
  cons AS (
    SELECT k.*, r.name AS relname_q FROM pg_catalog.pg_constraint k JOIN rels r ON r.oid = k.conrelid
    WHERE NOT (k.contype = 'f' AND k.conrelid = rel AND k.confrelid = refrel
               AND k.conkey = ARRAY[(SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = rel AND attname = col)])),
  idx AS (
    SELECT i.*, ic.relname AS iname, r.name AS relname_q, ic.relacl AS iacl
    FROM pg_catalog.pg_index i JOIN rels r ON r.oid = i.indrelid JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid)
  SELECT 'relation ' || r.name || ' kind ' || r.relkind::text || ' owner ' || r.relowner::regrole::text
         || ' acl ' || coalesce(r.relacl::text, '-') || ' rls ' || r.relrowsecurity
  FROM rels r
  UNION ALL
  SELECT 'column ' || r.name || ' #' || a.attnum || ' ' || quote_ident(a.attname) || ' '
         || CASE WHEN a.attrelid = rel AND a.attname = col THEN '(converted)'
                 ELSE pg_catalog.format_type(a.atttypid, a.atttypmod) || ' collation ' || a.attcollation END
         || ' not null ' || a.attnotnull || ' acl ' || coalesce(a.attacl::text, '-')
         || ' identity ' || a.attidentity::text || ' generated ' || a.attgenerated::text || ' stattarget ' || a.attstattarget
  FROM rels r JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid
  WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'default ' || r.name || ' ' || quote_ident(a.attname) || ' '
         || CASE WHEN a.attrelid = rel AND a.attname = col THEN '(present)' ELSE pg_catalog.pg_get_expr(d.adbin, d.adrelid) END
  FROM rels r JOIN pg_catalog.pg_attrdef d ON d.adrelid = r.oid
       JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  UNION ALL
  SELECT 'constraint ' || k.relname_q || ' ' || quote_ident(k.conname) || ' ' || k.contype::text || ' '
         || pg_catalog.pg_get_constraintdef(k.oid) || ' validated ' || k.convalidated
         || ' deferrable ' || k.condeferrable || k.condeferred
  FROM cons k
  UNION ALL
  SELECT 'index ' || i.relname_q || ' ' || quote_ident(i.iname) || ' ' || pg_catalog.pg_get_indexdef(i.indexrelid)
         || ' flags ' || i.indisunique || i.indisprimary || i.indisvalid || i.indisready || i.indimmediate
         || ' acl ' || coalesce(i.iacl::text, '-')
  FROM idx i
  UNION ALL
  SELECT 'comment ' || r.name || ' ' || coalesce(quote_ident(a.attname), '(table)') || ' ' || d.description
  FROM rels r JOIN pg_catalog.pg_description d ON d.classoid = 'pg_catalog.pg_class'::regclass AND d.objoid = r.oid
       LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum = d.objsubid AND d.objsubid > 0
  UNION ALL
  SELECT 'comment on constraint ' || k.relname_q || ' ' || quote_ident(k.conname) || ' ' || d.description
  FROM cons k JOIN pg_catalog.pg_description d ON d.classoid = 'pg_catalog.pg_constraint'::regclass AND d.objoid = k.oid
  UNION ALL
  SELECT 'comment on index ' || i.relname_q || ' ' || quote_ident(i.iname) || ' ' || d.description
  FROM idx i JOIN pg_catalog.pg_description d ON d.classoid = 'pg_catalog.pg_class'::regclass AND d.objoid = i.indexrelid
  UNION ALL
  SELECT 'statistics ' || r.name || ' ' || quote_ident(s.stxname) || ' ' || pg_catalog.pg_get_statisticsobjdef(s.oid)
  FROM rels r JOIN pg_catalog.pg_statistic_ext s ON s.stxrelid = r.oid
  UNION ALL
  SELECT 'trigger ' || r.name || ' ' || pg_catalog.pg_get_triggerdef(t.oid)
  FROM rels r JOIN pg_catalog.pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
$$;

-- Checks one script; records one row in fkg_pt.results.
CREATE FUNCTION fkg_pt.check_script(p_case int, p_source text, p_script text, p_expect jsonb)
RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
  c fkg_pt.cases;
  rel oid; refrel oid;
  problems text[] := '{}';
  announced text[];
  n_lines int;
  tags text[]; trees text[]; trees_off text[]; bodies text[]; langs text[]; stmts text[];
  body text;
  outcome text := 'success';
  msg text; st text; ctx text;
  before text[]; after text[]; diff text;
  fks_before text[]; fks_after text[];
  world_before text; world_in text; world_after text;
  target text; got_type text; target_collation oid; trap_before text;
  data jsonb;
  outcomes jsonb := coalesce(p_expect -> 'outcomes', '["success", "stop", "refuse"]');
  saved_path text := current_setting('search_path');
  drops_default boolean;
BEGIN
  SELECT * INTO c FROM fkg_pt.cases WHERE case_id = p_case;
  rel := format('%I.%I', c.nsp, c.tbl)::regclass;
  refrel := format('%I.%I', c.rnsp, c.rtbl)::regclass;

  -- 1. It parses, and to exactly what it announces.
  SELECT count(*) INTO n_lines FROM regexp_matches(p_script, '^-- Statements: ', 'gn');
  IF n_lines <> 1 THEN
    problems := problems || format('%s "-- Statements:" lines', n_lines);
  ELSE
    announced := string_to_array((regexp_match(p_script, '^-- Statements: (.*)$', 'n'))[1], ', ');
    IF announced = '{(none)}' THEN announced := '{}'; END IF;
  END IF;
  BEGIN
    SELECT coalesce(array_agg(tag ORDER BY ord), '{}'), coalesce(array_agg(tree ORDER BY ord), '{}'),
           coalesce(array_agg(coalesce(do_body, '') ORDER BY ord), '{}'),
           coalesce(array_agg(coalesce(do_language, '') ORDER BY ord), '{}'),
           coalesce(array_agg(stmt ORDER BY ord), '{}')
      INTO tags, trees, bodies, langs, stmts FROM fkg_testkit.parse_statements(p_script);
    PERFORM set_config('standard_conforming_strings', 'off', true);
    SELECT coalesce(array_agg(tree ORDER BY ord), '{}') INTO trees_off FROM fkg_testkit.parse_statements(p_script);
    PERFORM set_config('standard_conforming_strings', 'on', true);
    IF trees_off IS DISTINCT FROM trees THEN
      problems := problems || 'parses differently with standard_conforming_strings off'::text;
    END IF;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
    PERFORM set_config('standard_conforming_strings', 'on', true);
    problems := problems || ('does not parse: ' || msg);
    tags := NULL;
  END;
  IF tags IS NOT NULL AND announced IS NOT NULL AND tags IS DISTINCT FROM announced THEN
    problems := problems || format('announces %s but parses to %s', announced, tags);
  END IF;
  FOR i IN 1 .. coalesce(array_length(bodies, 1), 0) LOOP
    CONTINUE WHEN tags[i] <> 'DO' OR langs[i] <> 'plpgsql';
    BEGIN
      EXECUTE format('CREATE FUNCTION pg_temp.fkg_pt_compile() RETURNS void LANGUAGE plpgsql AS %L', bodies[i]);
      RAISE EXCEPTION USING ERRCODE = 'XFKG0', MESSAGE = 'compiled';
    EXCEPTION
      WHEN SQLSTATE 'XFKG0' THEN NULL;
      WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
        problems := problems || format('DO block %s does not compile: %s', i, msg);
    END;
  END LOOP;

  -- 2. Run it, check, roll back.
  -- The referenced column's type (its base type if a domain) and collation.
  SELECT pg_catalog.format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END,
                                CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END),
         a.attcollation
    INTO target, target_collation
  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  WHERE a.attrelid = refrel AND a.attname = c.rcol;
  before := ARRAY(SELECT s FROM fkg_pt.snapshot(rel, c.col, refrel) s ORDER BY 1);
  fks_before := ARRAY(SELECT f.conname || ' ' || f.def || ' ' || f.validated FROM fkg_pt.fks(rel, c.col, refrel) f);
  world_before := fkg_pt.world();
  trap_before := fkg_pt.trap();
  -- A dropped default is announced: a DROP DEFAULT and a header line that says so.
  drops_default := p_script ~* '(^|\n)--[^\n]*default'
    AND EXISTS (SELECT 1 FROM unnest(stmts) x
                CROSS JOIN LATERAL (VALUES (' ALTER COLUMN ' || quote_ident(c.col) || ' DROP DEFAULT'),
                                           (' ALTER COLUMN "' || replace(c.col, '"', '""') || '" DROP DEFAULT')) v(suffix)
                WHERE right(rtrim(x), length(v.suffix)) = v.suffix);
  BEGIN
    EXECUTE p_script;
    PERFORM set_config('search_path', saved_path, true);
    world_in := fkg_pt.world();
    IF world_in IS DISTINCT FROM world_before THEN
      problems := problems || format('INJECTION? world changed: %s -> %s', world_before, world_in);
    END IF;
    -- The column's type.
    SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) INTO got_type
    FROM pg_catalog.pg_attribute a WHERE a.attrelid = rel AND a.attname = c.col AND NOT a.attisdropped;
    IF got_type IS DISTINCT FROM target THEN
      problems := problems || format('column is %s, not %s', got_type, target);
    END IF;
    IF target_collation <> 0 AND target_collation IS DISTINCT FROM
       (SELECT a.attcollation FROM pg_catalog.pg_attribute a WHERE a.attrelid = rel AND a.attname = c.col) THEN
      problems := problems || format('column is %s with collation %s, not %s', got_type,
        (SELECT a.attcollation::regcollation FROM pg_catalog.pg_attribute a WHERE a.attrelid = rel AND a.attname = c.col),
        target_collation::regcollation);
    END IF;
    -- The promised foreign key.
    fks_after := ARRAY(SELECT f.conname || ' ' || f.def || ' ' || f.validated FROM fkg_pt.fks(rel, c.col, refrel) f);
    IF cardinality(fks_before) > 0 THEN
      IF fks_after IS DISTINCT FROM fks_before THEN
        problems := problems || format('foreign keys were %s, are %s', fks_before, fks_after);
      END IF;
    ELSIF cardinality(fks_after) <> 1 THEN
      problems := problems || format('expected one new foreign key, found %s', fks_after);
    ELSIF NOT EXISTS (SELECT 1 FROM fkg_pt.fks(rel, c.col, refrel) f
                      WHERE f.validated AND f.actions = 'a,a,s,f,f') THEN
      problems := problems || format('new foreign key is not plain and validated: %s', fks_after);
    END IF;
    -- Everything else stayed, but for what the plan announced.
    after := ARRAY(SELECT s FROM fkg_pt.snapshot(rel, c.col, refrel) s ORDER BY 1);
    FOR diff IN
      (SELECT '- ' || x FROM unnest(before) x EXCEPT SELECT '- ' || y FROM unnest(after) y)
      UNION ALL
      (SELECT '+ ' || y FROM unnest(after) y EXCEPT SELECT '+ ' || x FROM unnest(before) x)
    LOOP
      CONTINUE WHEN drops_default AND diff = format('- default %s.%s %s (present)', c.nsp, c.tbl, quote_ident(c.col));
      problems := problems || ('catalog: ' || diff);
    END LOOP;
    -- The data.
    EXECUTE format('SELECT coalesce(jsonb_object_agg(%I::text, to_jsonb(%I)), ''{}'') FROM %I.%I',
                   c.pk, c.col, c.nsp, c.tbl) INTO data;
    IF p_expect ? 'data' AND data IS DISTINCT FROM p_expect -> 'data' THEN
      problems := problems || format('data is %s, expected %s', data, p_expect -> 'data');
    END IF;
    IF p_expect ? 'gc_count' THEN
      EXECUTE format('SELECT count(*) FROM %I.%I', c.expect -> 'gc' ->> 'nsp', c.expect -> 'gc' ->> 'tbl') INTO n_lines;
      IF n_lines <> (p_expect ->> 'gc_count')::int THEN
        problems := problems || format('data is %s rows in the cascading table, expected %s', n_lines, p_expect ->> 'gc_count');
      END IF;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'XFKG1', MESSAGE = 'roll back';
  EXCEPTION
    WHEN SQLSTATE 'XFKG1' THEN NULL;
    WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, st = RETURNED_SQLSTATE, ctx = PG_EXCEPTION_CONTEXT;
      PERFORM set_config('search_path', saved_path, true);
      IF msg LIKE 'pg_fk_guard fix plan:%' THEN
        outcome := 'stop';
        -- It stops before it changes anything: only SET precedes the first DO.
        IF EXISTS (SELECT 1 FROM unnest(tags[1:coalesce(array_position(tags, 'DO'), 1) - 1]) x WHERE x NOT IN ('SET', 'RESET')) THEN
          problems := problems || format('stops only after %s', tags);
        END IF;
      ELSE
        outcome := 'error';
        problems := problems || format('fails: %s (%s) %s', msg, st, ctx);
      END IF;
  END;
  -- Nothing non-transactional happened either (the canary sequence).
  world_after := fkg_pt.world();
  IF fkg_pt.trap() IS DISTINCT FROM trap_before THEN
    problems := problems || 'OWNER CODE: the script ran a function of the table owner with the caller''s privileges'::text;
  END IF;
  IF world_after IS DISTINCT FROM world_before THEN
    problems := problems || format('INJECTION? after rollback: %s -> %s', world_before, world_after);
  END IF;
  IF outcome <> 'error' AND NOT outcomes ? outcome THEN
    problems := problems || format('outcome %s, expected one of %s', outcome, outcomes);
  END IF;
  INSERT INTO fkg_pt.results VALUES (p_case, p_source, outcome, cardinality(problems) = 0, problems, p_script);
  RETURN cardinality(problems) = 0;
END
$fn$;

-- Every mode of fix_plan() for one case, and delete with allow_cascade.
CREATE FUNCTION fkg_pt.run_case(p_case int) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  c fkg_pt.cases;
  mode text;
  script text;
  msg text; st text;
  trap_before text;
BEGIN
  SELECT * INTO c FROM fkg_pt.cases WHERE case_id = p_case;
  FOREACH mode IN ARRAY ARRAY['fail', 'null', 'delete', 'map', 'delete_cascade'] LOOP
    trap_before := fkg_pt.trap();
    BEGIN
      script := fk_guard.fix_plan(format('%I.%I', c.nsp, c.tbl)::regclass, c.col,
                                  format('%I.%I', c.rnsp, c.rtbl)::regclass, c.rcol,
                                  on_unconvertible => split_part(mode, '_', 1),
                                  allow_cascade => mode = 'delete_cascade');
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, st = RETURNED_SQLSTATE;
      INSERT INTO fkg_pt.results VALUES (p_case, 'fix_plan ' || mode, 'refuse',
        (c.expect -> mode -> 'outcomes') ? 'refuse' AND st NOT IN ('XX000', '42601'),
        ARRAY[format('fix_plan refused: %s (%s)', msg, st)], NULL);
      CONTINUE;
    END;
    IF fkg_pt.trap() IS DISTINCT FROM trap_before THEN
      INSERT INTO fkg_pt.results VALUES (p_case, 'fix_plan ' || mode || ' (planning)', 'planned', false,
        ARRAY['PLANNING RAN OWNER CODE: fix_plan() ran a function of the table owner with the caller''s privileges'], NULL);
    END IF;
    PERFORM fkg_pt.check_script(p_case, 'fix_plan ' || mode, script, c.expect -> mode);
  END LOOP;
END
$fn$;

-- suggested_fix of every row diagnose_fk_mismatches() reports for a case.
CREATE FUNCTION fkg_pt.run_suggested() RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  r record;
  c fkg_pt.cases;
  msg text; st text;
BEGIN
  BEGIN
    CREATE TEMP TABLE fkg_pt_diagnosed AS
      SELECT d.source, d.referencing_column, d.suggested_fix, n.nspname, cl.relname
      FROM fk_guard.diagnose_fk_mismatches() d
      JOIN pg_catalog.pg_class cl ON cl.oid = d.referencing_table::regclass
      JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, st = RETURNED_SQLSTATE;
    INSERT INTO fkg_pt.results VALUES (NULL, 'suggested_fix', 'error', false,
      ARRAY[format('diagnose_fk_mismatches() fails: %s (%s)', msg, st)], NULL);
    RETURN;
  END;
  FOR r IN SELECT * FROM fkg_pt_diagnosed LOOP
    SELECT * INTO c FROM fkg_pt.cases k
    WHERE k.nsp = r.nspname AND k.tbl = r.relname AND k.col = r.referencing_column;
    CONTINUE WHEN NOT FOUND OR r.suggested_fix IS NULL;
    -- A script of comments only ("Statements: (none)") is a refusal: it says
    -- why no plan can repair the pair.
    IF r.suggested_fix ~ '(^|\n)-- Statements: \(none\)\n' THEN
      INSERT INTO fkg_pt.results VALUES (c.case_id, 'suggested_fix ' || r.source, 'refuse',
        coalesce(c.expect -> 'suggested' -> 'outcomes', '["refuse"]') ? 'refuse',
        ARRAY[format('suggested_fix refuses: %s', split_part(r.suggested_fix, E'\n', 1))], NULL);
      CONTINUE;
    END IF;
    PERFORM fkg_pt.check_script(c.case_id, 'suggested_fix ' || r.source, r.suggested_fix,
                                c.expect -> 'suggested');
  END LOOP;
END
$fn$;

-- The harness itself: scripts doctored to do one thing more than they
-- should must be caught, each by the right property. Run on one clean case
-- (declared integer -> bigint); afterwards the canary is reset.
CREATE FUNCTION fkg_pt.selftest() RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  c fkg_pt.cases;
  script text;
  t text; col text;
  doctored record;
  got text[];
BEGIN
  SELECT * INTO c FROM fkg_pt.cases
  WHERE kind = 'bigint'
    AND NOT (expect -> 'attached') ?| ARRAY['NOT NULL', 'owner''s CHECK function and row trigger', 'view',
                                            'generated column', 'policy', 'partitioned table']
  ORDER BY case_id LIMIT 1;
  script := fk_guard.fix_plan(format('%I.%I', c.nsp, c.tbl)::regclass, c.col,
                              format('%I.%I', c.rnsp, c.rtbl)::regclass, c.rcol);
  t := format('%I.%I', c.nsp, c.tbl);
  col := quote_ident(c.col);
  FOR doctored IN
    SELECT * FROM (VALUES
      ('statistics target', 'catalog:', 'ALTER TABLE', format('ALTER TABLE %s ALTER COLUMN %s SET STATISTICS 5', t, col)),
      ('column comment', 'catalog:', 'COMMENT', format('COMMENT ON COLUMN %s.%s IS ''changed by the selftest''', t, col)),
      ('column privilege', 'catalog:', 'GRANT', format('GRANT INSERT (%s) ON %s TO fkg_reader', col, t)),
      ('superuser', 'INJECTION', 'ALTER ROLE', 'ALTER ROLE fkg_tester SUPERUSER'),
      ('canary', 'INJECTION', 'SELECT', 'SELECT pg_catalog.nextval(''public.fkg_canary'')'),
      ('unannounced statement', 'announces', NULL, 'SELECT 1'),
      ('data', 'data is', 'UPDATE', format('UPDATE %s SET %s = NULL', t, col)),
      ('foreign key re-added bare', 'foreign keys were', 'ALTER TABLE, ALTER TABLE',
       format('ALTER TABLE %1$s DROP CONSTRAINT %2$I; ALTER TABLE %1$s ADD CONSTRAINT %2$I FOREIGN KEY (%3$s) REFERENCES %4$I.%5$I (%6$I)',
              t, (SELECT conname FROM fkg_pt.fks(t::regclass, c.col, format('%I.%I', c.rnsp, c.rtbl)::regclass) LIMIT 1),
              col, c.rnsp, c.rtbl, c.rcol)))
      AS v(what, problem, tag, stmt)
  LOOP
    PERFORM fkg_pt.check_script(c.case_id, 'selftest ' || doctored.what,
      regexp_replace(script, '^(-- Statements: .*)$', '\1' || coalesce(', ' || doctored.tag, ''), 'n')
        || doctored.stmt || E';\n',
      c.expect -> 'fail');
    SELECT problems INTO got FROM fkg_pt.results WHERE source = 'selftest ' || doctored.what;
    UPDATE fkg_pt.results SET ok = EXISTS (SELECT 1 FROM unnest(got) x WHERE x LIKE doctored.problem || '%'),
                              problems = got || ('selftest: expected a problem starting ' || doctored.problem)
    WHERE source = 'selftest ' || doctored.what;
  END LOOP;
  PERFORM pg_catalog.setval('public.fkg_canary', 1, false);
END
$fn$;
