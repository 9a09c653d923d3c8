-- Prints the figures of profile_bench.sh from bench.times (medians of the
-- timed runs) and records the correctness checks in bench.checks, which the
-- driver reads for its exit status. Nothing here judges time: the goals are
-- printed next to the ratios. psql variables:
--   section   'columns' (parts 1 and 2) or 'catalog' (part 3)
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
\pset format unaligned
\pset tuples_only on

CREATE TABLE IF NOT EXISTS bench.checks (name text PRIMARY KEY, ok boolean NOT NULL, detail text);

-- One row per query: median of the timed runs, its first run, the
-- result of the first timed run and whether the results differed between runs.
CREATE TEMP VIEW m AS
SELECT part, name,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE run > 0) AS ms,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms) FILTER (WHERE run > 0) AS cpu_ms,
       string_agg(round(cpu_ms::numeric)::text, ' ' ORDER BY run) FILTER (WHERE run > 0) AS cpu_runs,
       min(ms) FILTER (WHERE run = (SELECT min(run) FROM bench.times)) AS first_ms,
       (array_agg(result ORDER BY run) FILTER (WHERE run > 0))[1] AS r,
       count(DISTINCT result) AS nresults,
       string_agg(round(ms::numeric)::text, ' ' ORDER BY run) FILTER (WHERE run > 0) AS runs
FROM bench.times
GROUP BY part, name;

-- Formatting helpers.
CREATE FUNCTION pg_temp.n(x numeric) RETURNS text LANGUAGE sql IMMUTABLE
  AS $$ SELECT to_char(x, 'FM999,999,999,999,990') $$;
CREATE FUNCTION pg_temp.ms(x float8) RETURNS text LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE WHEN x >= 10000 THEN round(x::numeric)::text ELSE round(x::numeric, 1)::text END || ' ms' $$;
CREATE FUNCTION pg_temp.goal(met boolean) RETURNS text LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE WHEN met THEN 'met' ELSE 'MISSED' END $$;
CREATE FUNCTION pg_temp.j(r jsonb, k text) RETURNS bigint LANGUAGE sql IMMUTABLE
  AS $$ SELECT (r ->> k)::bigint $$;

-- The plans of a part's hand-written queries, indented.
CREATE FUNCTION pg_temp.plans(p text) RETURNS SETOF text LANGUAGE sql STABLE
  AS $$ SELECT format('   plan of %s/%s:', part, name) || E'\n' || string_agg('     ' || line, E'\n' ORDER BY line_no)
        FROM bench.plans WHERE part = p GROUP BY part, name ORDER BY min(line_no) $$;

SELECT :'section' = 'catalog' AS is_catalog \gset
\if :is_catalog
-- ---------------------------------------------------------------- part 3
SELECT format(E'3. diagnose_fk_mismatches() on %s tables (as built: %s implied mismatched pairs, %s declared foreign keys of which %s mismatched)\n'
              '   include_implied => true (default):  median %s (first call of a fresh session %s); found %s implied, %s declared rows; runs (ms): %s\n'
              '     goal: median under 1000 ms: %s\n'
              '   include_implied => false, for reference: median %s; found %s declared rows',
              pg_temp.n(b.tables), pg_temp.n(b.implied), pg_temp.n(b.declared), pg_temp.n(b.declared_mismatched),
              pg_temp.ms(d.ms), pg_temp.ms(d.first_ms),
              pg_temp.n(coalesce(pg_temp.j(d.r, 'implied'), 0)), pg_temp.n(coalesce(pg_temp.j(d.r, 'declared'), 0)), d.runs,
              pg_temp.goal(d.ms < 1000),
              pg_temp.ms(o.ms), pg_temp.n(coalesce(pg_temp.j(o.r, 'declared'), 0)))
FROM bench.catalog_built b, m d, m o
WHERE d.part = 'catalog' AND d.name = 'diagnose' AND o.part = 'catalog' AND o.name = 'diagnose_declared';

-- Not a check the exit status depends on (the figures are what part 3
-- reports), but a catalog that does not give what was built is worth a line.
SELECT format('   NOTE: found %s implied and %s declared rows, built %s and %s',
              coalesce(pg_temp.j(d.r, 'implied'), 0), coalesce(pg_temp.j(d.r, 'declared'), 0),
              b.implied, b.declared_mismatched)
FROM bench.catalog_built b, m d
WHERE d.part = 'catalog' AND d.name = 'diagnose'
  AND (coalesce(pg_temp.j(d.r, 'implied'), 0) <> b.implied
       OR coalesce(pg_temp.j(d.r, 'declared'), 0) <> b.declared_mismatched);

INSERT INTO bench.checks
SELECT 'catalog results stable across runs', bool_and(nresults = 1), string_agg(name, ', ') FILTER (WHERE nresults > 1)
FROM m WHERE part = 'catalog';

\else
-- ---------------------------------------------------------------- parts 1 and 2
CREATE TEMP TABLE f AS
SELECT (SELECT r FROM m WHERE part = 'scan' AND name = 'profile') AS big,
       (SELECT r FROM m WHERE part = 'loop' AND name = 'profile') AS sample,
       (SELECT r FROM m WHERE part = 'loop' AND name = 'dba_loop') AS loop,
       (SELECT r FROM m WHERE part = 'orphans' AND name = 'profile') AS big_ref,
       (SELECT ms FROM m WHERE part = 'scan' AND name = 'profile') AS profile_ms,
       (SELECT ms FROM m WHERE part = 'scan' AND name = 'count_serial') AS count_ms,
       (SELECT cpu_ms FROM m WHERE part = 'scan' AND name = 'profile') AS profile_cpu,
       (SELECT cpu_ms FROM m WHERE part = 'scan' AND name = 'count_serial') AS count_cpu,
       (SELECT ms FROM m WHERE part = 'scan' AND name = 'count_parallel') AS count_par_ms,
       (SELECT ms FROM m WHERE part = 'scan' AND name = 'regex_serial') AS regex_ms,
       (SELECT ms FROM m WHERE part = 'loop' AND name = 'profile') AS profile_sample_ms,
       (SELECT ms FROM m WHERE part = 'loop' AND name = 'dba_loop') AS loop_ms,
       (SELECT ms FROM m WHERE part = 'orphans' AND name = 'profile') AS orphans_ms,
       (SELECT ms FROM m WHERE part = 'orphans' AND name = 'antijoin_serial') AS anti_ms,
       (SELECT ms FROM m WHERE part = 'orphans' AND name = 'antijoin_parallel') AS anti_par_ms;

-- Part 1: the big table.
SELECT format(E'1. profile_column(bench.big, ref, integer): %s rows (%s NULL, %s convertible, %s unconvertible)\n'
              '   profile_column():                                  median %s  %s rows/s\n'
              '   count(*) WHERE ref IS NOT NULL, one process:       median %s  %s rows/s\n'
              '     time ratio profile/count: %s  (goal <= 1.1: %s)\n'
              '     backend CPU time: profile %s, count %s; ratio profile/count: %s  (goal <= 1.1: %s)\n'
              '   same count(*), parallel workers allowed (server default): median %s; ratio profile/count %s\n'
              '   hand-written count of convertible values (regex + range), one process: median %s; ratio profile/regex %s',
              pg_temp.n(pg_temp.j(big, 'total')), pg_temp.n(pg_temp.j(big, 'null')),
              pg_temp.n(pg_temp.j(big, 'convertible')), pg_temp.n(pg_temp.j(big, 'unconvertible')),
              lpad(pg_temp.ms(profile_ms), 11), lpad(pg_temp.n((pg_temp.j(big, 'total') / (profile_ms / 1000))::numeric), 13),
              lpad(pg_temp.ms(count_ms), 11), lpad(pg_temp.n((pg_temp.j(big, 'total') / (count_ms / 1000))::numeric), 13),
              round((profile_ms / count_ms)::numeric, 2), pg_temp.goal(profile_ms <= 1.1 * count_ms),
              pg_temp.ms(profile_cpu), pg_temp.ms(count_cpu), round((profile_cpu / count_cpu)::numeric, 2),
              pg_temp.goal(profile_cpu <= 1.1 * count_cpu),
              pg_temp.ms(count_par_ms), round((profile_ms / count_par_ms)::numeric, 2),
              pg_temp.ms(regex_ms), round((profile_ms / regex_ms)::numeric, 2))
FROM f;

-- Part 1: the PL/pgSQL loop on the sample, extrapolated.
SELECT format(E'   PL/pgSQL loop, one EXCEPTION block per row, on bench.sample (%s rows): median %s  %s rows/s\n'
              '     extrapolated to bench.big''s %s rows at that rate: %s s (not measured)\n'
              '   profile_column() on bench.sample:                 median %s  %s rows/s\n'
              '     throughput profile_column() on bench.big / loop on bench.sample: %sx  (goal >= 20: %s)\n'
              '     same table (bench.sample), time ratio loop/profile: %sx',
              pg_temp.n(pg_temp.j(sample, 'total')), pg_temp.ms(loop_ms),
              pg_temp.n((pg_temp.j(sample, 'total') / (loop_ms / 1000))::numeric),
              pg_temp.n(pg_temp.j(big, 'total')),
              round((pg_temp.j(big, 'total') / (pg_temp.j(sample, 'total') / (loop_ms / 1000)))::numeric, 1),
              pg_temp.ms(profile_sample_ms), pg_temp.n((pg_temp.j(sample, 'total') / (profile_sample_ms / 1000))::numeric),
              round(((pg_temp.j(big, 'total') / profile_ms) / (pg_temp.j(sample, 'total') / loop_ms))::numeric, 1),
              pg_temp.goal((pg_temp.j(big, 'total') / profile_ms) >= 20 * (pg_temp.j(sample, 'total') / loop_ms)),
              round((loop_ms / profile_sample_ms)::numeric, 1))
FROM f;

-- Part 1: counts on the sample. The loop counts a NULL as ok (NULL::integer succeeds).
SELECT format(E'   counts on bench.sample: profile_column() %s total, %s NULL, %s convertible, %s unconvertible;\n'
              '                           PL/pgSQL loop    %s ok (convertible + NULL), %s bad',
              pg_temp.n(pg_temp.j(sample, 'total')), pg_temp.n(pg_temp.j(sample, 'null')),
              pg_temp.n(pg_temp.j(sample, 'convertible')), pg_temp.n(pg_temp.j(sample, 'unconvertible')),
              pg_temp.n(pg_temp.j(loop, 'ok')), pg_temp.n(pg_temp.j(loop, 'bad')))
FROM f;

SELECT pg_temp.plans('scan');

-- Part 2: orphans.
SELECT format(E'2. orphans of bench.big.ref against bench.keys (%s keys):\n'
              '   profile_column(..., referenced_table => bench.keys): median %s  %s orphaned (of %s convertible)\n'
              '   hand-written anti-join, one process:                 median %s  %s orphaned\n'
              '     time ratio profile/anti-join: %s  (goal <= 1: %s)\n'
              '   same anti-join, parallel workers allowed (server default): median %s; ratio profile/anti-join %s',
              pg_temp.n((SELECT count(*) FROM bench.keys)),
              lpad(pg_temp.ms(orphans_ms), 11), pg_temp.n(pg_temp.j(big_ref, 'orphaned')),
              pg_temp.n(pg_temp.j(big_ref, 'convertible')),
              lpad(pg_temp.ms(anti_ms), 11),
              pg_temp.n(pg_temp.j((SELECT r FROM m WHERE part = 'orphans' AND name = 'antijoin_serial'), 'orphaned')),
              round((orphans_ms / anti_ms)::numeric, 2), pg_temp.goal(orphans_ms <= anti_ms),
              pg_temp.ms(anti_par_ms), round((orphans_ms / anti_par_ms)::numeric, 2))
FROM f;

SELECT pg_temp.plans('orphans');

-- Every timed run, for the record.
SELECT '   runs (ms): ' || string_agg(format('%s/%s %s', part, name, runs), '; ' ORDER BY part DESC, name) FROM m;
SELECT '   backend CPU time of the runs (ms): ' || string_agg(format('%s/%s %s', part, name, cpu_runs), '; ' ORDER BY part DESC, name) FROM m;

-- The checks the exit status depends on.
INSERT INTO bench.checks
SELECT 'loop counts = profile_column counts on bench.sample',
       pg_temp.j(loop, 'ok') = pg_temp.j(sample, 'convertible') + pg_temp.j(sample, 'null')
       AND pg_temp.j(loop, 'bad') = pg_temp.j(sample, 'unconvertible')
       AND pg_temp.j(loop, 'ok') + pg_temp.j(loop, 'bad') = pg_temp.j(sample, 'total'),
       format('loop ok %s bad %s; profile total %s null %s convertible %s unconvertible %s',
              loop ->> 'ok', loop ->> 'bad', sample ->> 'total', sample ->> 'null',
              sample ->> 'convertible', sample ->> 'unconvertible')
FROM f
UNION ALL
SELECT 'anti-join orphans = profile_column rows_orphaned',
       pg_temp.j(big_ref, 'orphaned') = pg_temp.j(a.r, 'orphaned') AND pg_temp.j(big_ref, 'orphaned') = pg_temp.j(ap.r, 'orphaned'),
       format('profile %s; anti-join %s, parallel %s', big_ref ->> 'orphaned', a.r ->> 'orphaned', ap.r ->> 'orphaned')
FROM f, m a, m ap
WHERE a.part = 'orphans' AND a.name = 'antijoin_serial' AND ap.part = 'orphans' AND ap.name = 'antijoin_parallel'
UNION ALL
SELECT 'hand-written convertible count = profile_column rows_convertible',
       pg_temp.j(big, 'convertible') = pg_temp.j(g.r, 'convertible'),
       format('profile %s; regex %s', big ->> 'convertible', g.r ->> 'convertible')
FROM f, m g
WHERE g.part = 'scan' AND g.name = 'regex_serial'
UNION ALL
SELECT 'count(*) = profile_column rows_total - rows_null; same profile with and without referenced_table',
       pg_temp.j(big, 'total') - pg_temp.j(big, 'null') = pg_temp.j(c.r, 'not_null')
       AND big = big_ref - 'orphaned',
       format('count %s; profile %s; with referenced table %s', c.r ->> 'not_null', big, big_ref)
FROM f, m c
WHERE c.part = 'scan' AND c.name = 'count_serial'
UNION ALL
SELECT 'results stable across runs', bool_and(nresults = 1), string_agg(part || '/' || name, ', ') FILTER (WHERE nresults > 1)
FROM m WHERE part <> 'catalog';
\endif
