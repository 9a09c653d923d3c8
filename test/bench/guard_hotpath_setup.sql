-- Sets up guard_hotpath.sh's database. psql variables:
--   statements   statements per one-transaction workload (tables to alter)
-- Creates:
--   schema hp             parent_a, parent_b (bigint primary keys) and the
--                         tables the ADD FOREIGN KEY workload alters
--                         (hp.c_1 .. hp.c_<statements>, empty)
--   hp_bench.run(workload, statements, ms, cpu_ms)
--                         runs one workload's statements in ONE transaction
--                         (EXECUTE each), returns the elapsed milliseconds
--                         from the first EXECUTE to the end of the last one
--                         (ms) and the CPU time the backend used meanwhile
--                         (cpu_ms, from /proc/self/schedstat: time on a CPU,
--                         not time waiting for one, so other processes on the
--                         machine move it much less), then rolls the
--                         transaction back, so that every run starts from the
--                         same catalog:
--                           create_plain  CREATE TABLE without keys
--                           create_ref    CREATE TABLE ... REFERENCES hp.parent_a
--                           add_fk        ALTER TABLE hp.c_<i> ADD FOREIGN KEY ... REFERENCES hp.parent_a
--   hp_bench.tenant(transactions, ms, cpu_ms)
--                         guard_hotpath_tenant.sql's transaction (CREATE
--                         TABLE ... REFERENCES, ADD FOREIGN KEY, DROP TABLE,
--                         COMMIT) run that many times in this session, one
--                         after the other: the one-client case without
--                         client round trips, timed like run()
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE EXTENSION pg_fk_guard;
CREATE SCHEMA hp;
CREATE SCHEMA hp_bench;
CREATE TABLE hp.parent_a (id bigint PRIMARY KEY, name text);
CREATE TABLE hp.parent_b (id bigint PRIMARY KEY, name text);
SELECT format('CREATE TABLE hp.c_%s (id bigint PRIMARY KEY, a_id bigint, note text)', i)
FROM generate_series(1, :statements) AS i
\gexec

-- Nanoseconds this backend has spent on a CPU.
CREATE FUNCTION hp_bench.cpu_ns() RETURNS bigint LANGUAGE sql AS
$$ SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint $$;

CREATE PROCEDURE hp_bench.run(workload text, statements int, INOUT ms float8 DEFAULT NULL,
                              INOUT cpu_ms float8 DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  todo text[] := ARRAY(
    SELECT CASE workload
             WHEN 'create_plain' THEN format('CREATE TABLE hp.n_%s (id bigint PRIMARY KEY, a_id bigint, note text)', i)
             WHEN 'create_ref' THEN format('CREATE TABLE hp.r_%s (id bigint PRIMARY KEY, '
                                           'a_id bigint REFERENCES hp.parent_a (id), note text)', i)
             WHEN 'add_fk' THEN format('ALTER TABLE hp.c_%s ADD FOREIGN KEY (a_id) REFERENCES hp.parent_a (id)', i)
           END
    FROM generate_series(1, statements) AS i ORDER BY i);
  stmt text;
  t0 timestamptz;
  c0 bigint;
BEGIN
  IF todo[1] IS NULL THEN
    RAISE EXCEPTION 'unknown workload %', workload;
  END IF;
  COMMIT;                      -- the timed part starts in a fresh transaction
  c0 := hp_bench.cpu_ns();
  t0 := clock_timestamp();
  FOREACH stmt IN ARRAY todo LOOP
    EXECUTE stmt;
  END LOOP;
  ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
  cpu_ms := (hp_bench.cpu_ns() - c0) / 1e6;
  ROLLBACK;
END $$;

CREATE PROCEDURE hp_bench.tenant(transactions int, INOUT ms float8 DEFAULT NULL, INOUT cpu_ms float8 DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  c0 bigint;
BEGIN
  COMMIT;
  c0 := hp_bench.cpu_ns();
  t0 := clock_timestamp();
  FOR i IN 1 .. transactions LOOP
    EXECUTE 'CREATE TABLE hp.t_serial (id bigint PRIMARY KEY, a_id bigint REFERENCES hp.parent_a (id), b_id bigint)';
    EXECUTE 'ALTER TABLE hp.t_serial ADD FOREIGN KEY (b_id) REFERENCES hp.parent_b (id)';
    EXECUTE 'DROP TABLE hp.t_serial';
    COMMIT;
  END LOOP;
  ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
  cpu_ms := (hp_bench.cpu_ns() - c0) / 1e6;
END $$;

VACUUM ANALYZE;
