-- Sets up one of guard_overhead.sh's template databases (the same in both,
-- the extension aside). psql variables:
--   fk_file, ddl_file   the generated migrations (guard_workloads.sql), one
--                       statement per line; read with pg_read_file, so they
--                       must be readable by the server's OS user
-- Creates:
--   schema mig                       where the migrations create their tables
--   bench_tools.stmts                the same statements, for the in-server timing
--   bench_tools.run(workload, first, last, ms)
--                                    runs statements first..last (1-based) of
--                                    one workload in order, each through
--                                    EXECUTE and in its own transaction
--                                    (COMMIT after each), as psql -f in
--                                    autocommit mode does; returns the elapsed
--                                    milliseconds between the first EXECUTE
--                                    and the last COMMIT
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE SCHEMA mig;
CREATE SCHEMA bench_tools;

CREATE TABLE bench_tools.stmts (workload text NOT NULL, n int NOT NULL, sql text NOT NULL,
                                PRIMARY KEY (workload, n));
INSERT INTO bench_tools.stmts
SELECT w.workload, l.n, l.sql
FROM (VALUES ('fk', :'fk_file'), ('ddl', :'ddl_file')) AS w(workload, file),
     regexp_split_to_table(pg_read_file(w.file), E'\n') WITH ORDINALITY AS l(sql, n)
WHERE l.sql <> '';

CREATE PROCEDURE bench_tools.run(workload text, first int, last int, INOUT ms float8 DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  todo text[] := ARRAY(SELECT s.sql FROM bench_tools.stmts s
                       WHERE s.workload = run.workload AND s.n BETWEEN first AND last ORDER BY s.n);
  stmt text;
  t0 timestamptz;
BEGIN
  COMMIT;                      -- the timed part starts in a fresh transaction
  t0 := clock_timestamp();
  FOREACH stmt IN ARRAY todo LOOP
    EXECUTE stmt;
    COMMIT;
  END LOOP;
  ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
END $$;

VACUUM ANALYZE;
