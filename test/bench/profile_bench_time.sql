-- Times the queries of one part of bench.queries in one session.
-- psql variables:
--   part             the part to time
--   warmups, runs    untimed warm-up rounds, then timed rounds
--   work_mem         work_mem for the session (all queries)
-- Each round runs every query of the part once, rotating which goes first,
-- through EXECUTE, so each run is parsed and planned afresh, as when a client
-- sends it. A query's settings are applied with set_config() just before it
-- and RESET just after. Elapsed time is clock_timestamp() around the EXECUTE.
-- Every run is stored in bench.times with its result (warm-ups with run <= 0,
-- so the report can show the first call of the session, the query with the
-- lowest ord, on cold caches); plans of the
-- queries marked explain go to bench.plans.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET work_mem = :'work_mem';

CREATE TEMP TABLE bench_settings AS SELECT :'part'::text AS part, :warmups::int AS warmups, :runs::int AS runs;

DO $$
DECLARE
  s bench_settings;
  q bench.queries;
  nq int;
  k text;
  t0 timestamptz;
  ms float8;
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
      t0 := clock_timestamp();
      EXECUTE q.sql INTO res;
      ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
      FOR k IN SELECT jsonb_object_keys(q.settings) LOOP
        EXECUTE format('RESET %I', k);
      END LOOP;
      INSERT INTO bench.times VALUES (q.part, q.name, run, ms, res);
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
