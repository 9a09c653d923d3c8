-- Times fk_guard.diagnose_fk_mismatches() against the plain catalog query in
-- one session. psql variables:
--   ours_sql, baseline_sql   the two queries (each returns one row per mismatched column pair)
--   warmups, runs            untimed warm-up rounds, then timed rounds
-- Each round runs both queries, alternating which goes first, as
-- SELECT count(*) FROM (<query>) through EXECUTE, so every run is parsed and
-- planned afresh, as when a client sends it. Elapsed time is taken with
-- clock_timestamp() around the EXECUTE; the median of the timed runs is reported.
-- For ours, SELECT count(*) FROM (SELECT * FROM fk_guard.diagnose_fk_mismatches())
-- plans exactly like SELECT count(*) FROM fk_guard.diagnose_fk_mismatches().
-- Note that under count(*) the plain query skips computing its output columns,
-- while the function still builds its full rows (detail, suggested fix).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TEMP TABLE bench_queries (name text PRIMARY KEY, sql text NOT NULL);
INSERT INTO bench_queries VALUES ('ours', :'ours_sql'), ('baseline', :'baseline_sql');
CREATE TEMP TABLE bench_settings AS SELECT :warmups::int AS warmups, :runs::int AS runs;
CREATE TEMP TABLE bench_times (name text, run int, ms float8, nrows bigint);

DO $$
DECLARE
  s bench_settings;
  q record;
  t0 timestamptz;
  n bigint;
BEGIN
  SELECT * INTO s FROM bench_settings;
  FOR run IN 1 - s.warmups .. s.runs LOOP        -- runs <= 0 are warm-ups
    -- odd rounds run ours first, even rounds the baseline first
    FOR q IN SELECT * FROM bench_queries
             ORDER BY (name = 'ours') = (run % 2 = 0) LOOP
      t0 := clock_timestamp();
      EXECUTE 'SELECT count(*) FROM (' || q.sql || ') AS s' INTO n;
      IF run > 0 THEN
        INSERT INTO bench_times
        VALUES (q.name, run, 1000 * extract(epoch FROM clock_timestamp() - t0), n);
      END IF;
    END LOOP;
  END LOOP;
END $$;

-- Medians and row counts.
\pset format unaligned
\pset tuples_only on
WITH m AS (
  SELECT name, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median_ms,
         min(nrows) AS nrows, max(nrows) AS nrows_max
  FROM bench_times GROUP BY name
)
SELECT format('diagnose_fk_mismatches: median %s ms, %s rows', round(o.median_ms::numeric, 1), o.nrows) || E'\n' ||
       format('plain catalog query: median %s ms, %s rows', round(b.median_ms::numeric, 1), b.nrows) || E'\n' ||
       format('ratio ours/baseline: %s', round((o.median_ms / b.median_ms)::numeric, 2)) ||
       CASE WHEN o.nrows <> o.nrows_max OR b.nrows <> b.nrows_max
            THEN E'\nWARNING: row counts varied between runs' ELSE '' END
FROM m o, m b
WHERE o.name = 'ours' AND b.name = 'baseline';

-- Every timed run, for the record.
SELECT format('  runs (ms): ours %s; plain %s',
              string_agg(round(ms::numeric, 1)::text, ' ' ORDER BY run) FILTER (WHERE name = 'ours'),
              string_agg(round(ms::numeric, 1)::text, ' ' ORDER BY run) FILTER (WHERE name = 'baseline'))
FROM bench_times;

-- Where the two answers differ (untimed): rows only one of them reports,
-- matched on referencing table, constraint and column.
DO $$
BEGIN
  EXECUTE 'CREATE TEMP TABLE bench_ours AS '  || (SELECT sql FROM bench_queries WHERE name = 'ours');
  EXECUTE 'CREATE TEMP TABLE bench_plain AS ' || (SELECT sql FROM bench_queries WHERE name = 'baseline');
END $$;

SELECT format('  only diagnose_fk_mismatches reports: %s rows%s', coalesce(sum(n), 0),
              ' (' || string_agg(format('%s: %s', kind, n), ', ' ORDER BY kind) || ')')
FROM (SELECT o.kind, count(*) AS n
      FROM bench_ours o
      WHERE NOT EXISTS (SELECT FROM bench_plain p
                        WHERE p.referencing_table = o.referencing_table
                          AND p.constraint_name = o.constraint_name
                          AND p.referencing_column = o.referencing_column)
      GROUP BY o.kind) AS d;
SELECT format('  only the plain query reports: %s rows%s', coalesce(sum(n), 0),
              ' (' || string_agg(format('%s', pair), ', ' ORDER BY pair) || ')')
FROM (SELECT format('%s -> %s: %s', p.referencing_type, p.referenced_type, count(*)) AS pair, count(*) AS n
      FROM bench_plain p
      WHERE NOT EXISTS (SELECT FROM bench_ours o
                        WHERE o.referencing_table = p.referencing_table
                          AND o.constraint_name = p.constraint_name
                          AND o.referencing_column = p.referencing_column)
      GROUP BY p.referencing_type, p.referenced_type) AS d;
SELECT format('  diagnose_fk_mismatches by kind: %s',
              string_agg(format('%s %s', kind, n), ', ' ORDER BY kind))
FROM (SELECT kind, count(*) AS n FROM bench_ours GROUP BY kind) AS k;
