-- The queries profile_bench.sh times, and the PL/pgSQL loop. Each query
-- returns one jsonb value (its counts), which profile_bench_time.sql stores
-- with the time of every run and profile_bench_report.sql compares.
--
-- bench.queries columns:
--   part       which group it is timed with (the queries of a part alternate, run by run)
--   ord        order within the part, in the first round
--   name       short name, used by the report
--   settings   GUCs set for this query only (set_config before, RESET after)
--   explain    whether the report shows its plan (EXPLAIN, COSTS OFF; not timed)
--   sql        the query
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TABLE bench.queries (
  part text, ord int, name text, settings jsonb NOT NULL DEFAULT '{}', explain boolean NOT NULL DEFAULT false,
  sql text NOT NULL, PRIMARY KEY (part, name));
CREATE TABLE bench.times (part text, name text, run int, ms float8, result jsonb, cpu_ms float8);   -- run <= 0: warm-up
CREATE TABLE bench.plans (part text, name text, line_no int, line text);

-- The check a DBA writes by hand: one EXCEPTION block (a subtransaction)
-- per row. A NULL casts fine, so NULLs count as ok.
CREATE FUNCTION bench.dba_loop(OUT ok bigint, OUT bad bigint)
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  ok := 0;
  bad := 0;
  FOR r IN SELECT ref FROM bench.sample LOOP
    BEGIN
      PERFORM r.ref::integer;
      ok := ok + 1;
    EXCEPTION WHEN others THEN
      bad := bad + 1;
    END;
  END LOOP;
END $$;

-- The hand-written test for "converts to integer", correct for every text
-- value, not only this data: int4in accepts optional whitespace, an optional
-- sign, digits, optional whitespace, and a value in [-2147483648, 2147483647].
-- The regex checks the form ([0-9] rather than \d, which may match non-ASCII
-- digits int4in rejects); a string of at most 18 characters then holds at most
-- 18 digits and casts to bigint safely, which decides the range; longer ones
-- (leading zeros, huge values) go through numeric, which takes any length.
-- CASE guarantees the casts run only after the regex matched (the planner
-- may reorder the arms of a top-level AND, not the branches of a CASE).
-- Of the forms tried, this was the fastest: a bounded repetition such as
-- '^\s*[+-]?0*[0-9]{1,10}\s*$' (bigint always safe) made the regex twice as
-- slow, and numeric for every value costs more than the length test.
-- In the anti-join, the join key t.ref::integer is computed only for rows of
-- bench.big that passed this filter: PostgreSQL 15 applies a table's own
-- conditions in its scan, below any join.
\set convertible '(CASE WHEN t.ref ~ ''^\\s*[+-]?[0-9]+\\s*$'' THEN CASE WHEN length(t.ref) <= 18 THEN t.ref::bigint BETWEEN -2147483648 AND 2147483647 ELSE t.ref::numeric BETWEEN -2147483648 AND 2147483647 END END)'

INSERT INTO bench.queries (part, ord, name, settings, explain, sql) VALUES
-- Part 1, on bench.big: profile_column() against a plain sequential scan.
('scan', 0, 'profile', '{}', false,
 $q$SELECT jsonb_build_object('total', rows_total, 'null', rows_null, 'convertible', rows_convertible,
                             'unconvertible', rows_unconvertible)
    FROM fk_guard.profile_column('bench.big', 'ref', 'integer')$q$),
('scan', 1, 'count_serial', '{"max_parallel_workers_per_gather": "0"}', true,
 $q$SELECT jsonb_build_object('not_null', count(*)) FROM bench.big WHERE ref IS NOT NULL$q$),
('scan', 2, 'count_parallel', '{}', true,
 $q$SELECT jsonb_build_object('not_null', count(*)) FROM bench.big WHERE ref IS NOT NULL$q$),
-- For reference: the hand-written count of convertible values (what
-- profile_column's rows_convertible answers), one process.
('scan', 3, 'regex_serial', '{"max_parallel_workers_per_gather": "0"}', true,
 'SELECT jsonb_build_object(''convertible'', count(*)) FROM bench.big t WHERE ' || :'convertible'),

-- Part 1, on bench.sample: profile_column() against the PL/pgSQL loop.
('loop', 0, 'profile', '{}', false,
 $q$SELECT jsonb_build_object('total', rows_total, 'null', rows_null, 'convertible', rows_convertible,
                             'unconvertible', rows_unconvertible)
    FROM fk_guard.profile_column('bench.sample', 'ref', 'integer')$q$),
('loop', 1, 'dba_loop', '{}', false,
 $q$SELECT jsonb_build_object('ok', ok, 'bad', bad) FROM bench.dba_loop()$q$),

-- Part 2, on bench.big: orphans against bench.keys. profile_column() also
-- classifies every row; the anti-join counts orphans only.
('orphans', 0, 'profile', '{}', false,
 $q$SELECT jsonb_build_object('total', rows_total, 'null', rows_null, 'convertible', rows_convertible,
                             'unconvertible', rows_unconvertible, 'orphaned', rows_orphaned)
    FROM fk_guard.profile_column('bench.big', 'ref', 'integer', referenced_table => 'bench.keys')$q$),
('orphans', 1, 'antijoin_serial', '{"max_parallel_workers_per_gather": "0"}', true,
 'SELECT jsonb_build_object(''orphaned'', count(*)) FROM bench.big t WHERE ' || :'convertible' ||
 ' AND NOT EXISTS (SELECT 1 FROM bench.keys u WHERE u.id = t.ref::integer)'),
('orphans', 2, 'antijoin_parallel', '{}', true,
 'SELECT jsonb_build_object(''orphaned'', count(*)) FROM bench.big t WHERE ' || :'convertible' ||
 ' AND NOT EXISTS (SELECT 1 FROM bench.keys u WHERE u.id = t.ref::integer)'),

-- Part 3, on the catalog of profile_bench_catalog.sql: rows by source.
('catalog', 0, 'diagnose', '{}', false,
 $q$SELECT jsonb_object_agg(source, n)
    FROM (SELECT source, count(*) AS n FROM fk_guard.diagnose_fk_mismatches() GROUP BY source) AS s$q$),
('catalog', 1, 'diagnose_declared', '{}', false,
 $q$SELECT jsonb_object_agg(source, n)
    FROM (SELECT source, count(*) AS n FROM fk_guard.diagnose_fk_mismatches(include_implied => false)
          GROUP BY source) AS s$q$);
