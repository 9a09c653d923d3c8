-- Prints guard_overhead.sh's figures from its timings, read from standard
-- input as tab-separated rows: workload, method, database, repetition,
-- piece, ms (database is "guarded" or "plain"; a run's time is the sum of its
-- pieces, one for client-side runs, one per chunk in-server; repetitions
-- <= 0 are warm-ups and are left out). psql variables:
--   statements_fk, statements_ddl   statements per run of each workload
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
\pset format unaligned
\pset tuples_only on

-- A number rounded to one decimal, with its sign.
CREATE FUNCTION pg_temp.signed(x float8) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN x >= 0 THEN '+' ELSE '' END || round(x::numeric, 1) $$;

CREATE TEMP TABLE bench_pieces (workload text, method text, db text, rep int, piece int, ms float8);
\copy bench_pieces FROM pstdin
CREATE TEMP TABLE bench_times AS
SELECT workload, method, db, rep, sum(ms) AS ms, count(*) AS pieces
FROM bench_pieces WHERE rep > 0
GROUP BY workload, method, db, rep;

CREATE TEMP TABLE bench_labels (workload text PRIMARY KEY, ord int, label text, statements int);
INSERT INTO bench_labels VALUES
  ('fk_ignore', 1, 'foreign-key migration, pg_fk_guard.soft_mismatches = ignore', :statements_fk),
  ('fk_warn',   2, 'foreign-key migration, default soft policy (warn), client_min_messages = error', :statements_fk),
  ('ddl',       3, 'DDL without foreign keys (CREATE TABLE, ADD COLUMN, CREATE INDEX)', :statements_ddl);

-- Medians per workload, method and database; the guard's overhead from the
-- medians, and from each repetition's pair of runs (how much it moves).
CREATE TEMP TABLE bench_summary AS
WITH med AS (
  SELECT workload, method,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE db = 'guarded') AS guarded,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE db = 'plain') AS plain,
         count(*) FILTER (WHERE db = 'guarded') AS runs
  FROM bench_times GROUP BY workload, method
), per_rep AS (
  SELECT g.workload, g.method, 100 * (g.ms / p.ms - 1) AS pct
  FROM bench_times g
  JOIN bench_times p USING (workload, method, rep)
  WHERE g.db = 'guarded' AND p.db = 'plain'
)
SELECT m.*, l.ord, l.label, l.statements,
       100 * (m.guarded / m.plain - 1) AS overhead_pct,
       1000 * (m.guarded - m.plain) / l.statements AS us_per_statement,
       (SELECT min(pct) FROM per_rep r WHERE (r.workload, r.method) = (m.workload, m.method)) AS rep_min,
       (SELECT max(pct) FROM per_rep r WHERE (r.workload, r.method) = (m.workload, m.method)) AS rep_max
FROM med m JOIN bench_labels l USING (workload);

-- Every figure, by workload, then method.
SELECT format(E'%s (%s statements, %s runs each):', label, statements, runs) || E'\n' ||
       string_agg(format('  %-34s with extension %8s ms, without %8s ms, difference %7s ms (%6s us/statement), overhead %6s %%; per repetition %s .. %s %%',
                         CASE method WHEN 'client' THEN 'client-side (whole psql -f):'
                                     ELSE 'in-server (chunks, side by side):' END,
                         round(guarded::numeric, 1), round(plain::numeric, 1),
                         pg_temp.signed(guarded - plain), pg_temp.signed(us_per_statement),
                         pg_temp.signed(overhead_pct), pg_temp.signed(rep_min), pg_temp.signed(rep_max)),
                  E'\n' ORDER BY method)
FROM bench_summary
GROUP BY ord, label, statements, runs
ORDER BY ord;

-- Every run, for the record.
SELECT format('  runs (ms) %s %s %s: %s', workload, method, db,
              string_agg(round(ms::numeric, 1)::text, ' ' ORDER BY rep))
FROM bench_times
GROUP BY workload, method, db
ORDER BY workload, method, db;

-- The headline method: the one whose per-repetition overhead moves least
-- (narrower range of the per-repetition overhead) in more of the workloads;
-- in-server on a tie.
CREATE TEMP TABLE bench_stability AS
SELECT c.workload, c.rep_max - c.rep_min AS client_range, s.rep_max - s.rep_min AS server_range
FROM bench_summary c JOIN bench_summary s USING (workload)
WHERE c.method = 'client' AND s.method = 'server';
CREATE TEMP TABLE bench_headline AS
SELECT CASE WHEN count(*) FILTER (WHERE server_range <= client_range) >= count(*) FILTER (WHERE client_range < server_range)
            THEN 'server' ELSE 'client' END AS method
FROM bench_stability;

SELECT format(E'\nstability: per-repetition overhead range (points) client-side / in-server: %s; headline figures below are %s',
              (SELECT string_agg(format('%s %s / %s', s.workload, round(s.client_range::numeric, 1), round(s.server_range::numeric, 1)),
                                 ', ' ORDER BY l.ord)
               FROM bench_stability s JOIN bench_labels l USING (workload)),
              CASE method WHEN 'server' THEN 'in-server' ELSE 'client-side' END)
FROM bench_headline;

SELECT format('headline %-10s with extension %8s ms, without %8s ms, difference %s ms (%s us/statement), overhead %s %%',
              workload || ':', round(guarded::numeric, 1), round(plain::numeric, 1),
              pg_temp.signed(guarded - plain), pg_temp.signed(us_per_statement), pg_temp.signed(overhead_pct))
FROM bench_summary
WHERE method = (SELECT method FROM bench_headline)
ORDER BY ord;
