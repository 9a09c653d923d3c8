-- Times the queries of one part of bench.queries in one session.
-- psql variables:
--   part             the part to time
--   warmups, runs    untimed warm-up rounds, then timed rounds
--   work_mem         work_mem for the session (all queries)
--   clk_tck          clock ticks per second of /proc/<pid>/stat (getconf CLK_TCK)
-- Each round runs every query of the part once, rotating which goes first,
-- through EXECUTE, so each run is parsed and planned afresh, as when a client
-- sends it. A query's settings are applied with set_config() just before it
-- and RESET just after. Elapsed time is clock_timestamp() around the EXECUTE;
-- CPU time is this backend's user + system time around it (/proc/self/stat,
-- in clock ticks), which other load on the machine does not inflate as it
-- does the elapsed time (parallel workers' time is not in it).
-- Every run is stored in bench.times with its result (warm-ups with run <= 0,
-- so the report can show the first call of the session, the query with the
-- lowest ord, on cold caches); plans of the
-- queries marked explain go to bench.plans.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET work_mem = :'work_mem';

CREATE TEMP TABLE bench_settings AS
  SELECT :'part'::text AS part, :warmups::int AS warmups, :runs::int AS runs, :clk_tck::float8 AS clk_tck;
-- This backend's CPU time so far, in clock ticks: fields 14 (utime) and 15
-- (stime) of /proc/self/stat, counted after the command name's closing parenthesis.
CREATE FUNCTION pg_temp.cpu_ticks() RETURNS bigint LANGUAGE sql AS $f$
  SELECT split_part(rest, ' ', 12)::bigint + split_part(rest, ' ', 13)::bigint
    FROM (SELECT (regexp_match(pg_read_file('/proc/self/stat'), '\) (.*)$'))[1] AS rest) s $f$;

DO $$
DECLARE
  s bench_settings;
  q bench.queries;
  nq int;
  k text;
  t0 timestamptz;
  ms float8;
  c0 float8;
  cpu float8;
  res jsonb;
  line text;
  n int := 0;
BEGIN
  SELECT * INTO s FROM bench_settings;
  SELECT count(*) INTO nq FROM bench.queries WHERE part = s.part;
  IF nq = 0 THEN
    RAISE EXCEPTION 'no queries for part %', s.part;
  END IF;
  FOR run IN 1 - s.warmups .. s.runs LOOP
    FOR q IN SELECT * FROM bench.queries WHERE part = s.part
             -- rotate the order every round; the session's first round in ord order
             ORDER BY ((ord - (run - 1 + s.warmups)) % nq + nq) % nq LOOP
      FOR k IN SELECT jsonb_object_keys(q.settings) LOOP
        PERFORM set_config(k, q.settings ->> k, false);
      END LOOP;
      c0 := pg_temp.cpu_ticks();
      t0 := clock_timestamp();
      EXECUTE q.sql INTO res;
      ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
      cpu := 1000 * (pg_temp.cpu_ticks() - c0) / s.clk_tck;
      FOR k IN SELECT jsonb_object_keys(q.settings) LOOP
        EXECUTE format('RESET %I', k);
      END LOOP;
      INSERT INTO bench.times VALUES (q.part, q.name, run, ms, res, cpu);
    END LOOP;
  END LOOP;

  -- Plans, untimed, under the same settings.
  FOR q IN SELECT * FROM bench.queries WHERE part = s.part AND explain ORDER BY ord LOOP
    FOR k IN SELECT jsonb_object_keys(q.settings) LOOP
      PERFORM set_config(k, q.settings ->> k, false);
    END LOOP;
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q.sql LOOP
      n := n + 1;
      INSERT INTO bench.plans VALUES (q.part, q.name, n, line);
    END LOOP;
    FOR k IN SELECT jsonb_object_keys(q.settings) LOOP
      EXECUTE format('RESET %I', k);
    END LOOP;
  END LOOP;
END $$;
