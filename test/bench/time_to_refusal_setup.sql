-- Builds time_to_refusal.sh's database: a users table with a large integer
-- primary key, a sessions table whose integer "userId" references it by a
-- declared foreign key, and the timing helpers in schema bench. psql
-- variables:
--   users, sessions   rows in each table
-- Both are ordinary (logged) tables, so that a rewrite of users costs what it
-- costs on a real server. Rows are loaded before the indexes and the foreign
-- key are built, which is the fastest way to get there.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET maintenance_work_mem = '512MB';

CREATE TABLE users (
  id         integer NOT NULL,
  email      text NOT NULL,
  created_at timestamptz NOT NULL
);
INSERT INTO users (id, email, created_at)
SELECT i, 'user' || i || '@example.com', timestamptz '2020-01-01 00:00:00+00' + i * interval '1 second'
FROM generate_series(1, :users) AS i;
ALTER TABLE users ADD PRIMARY KEY (id);

CREATE TABLE sessions (
  id         bigint NOT NULL,
  "userId"   integer NOT NULL,
  token      text NOT NULL,
  created_at timestamptz NOT NULL
);
INSERT INTO sessions (id, "userId", token, created_at)
SELECT i, 1 + (i::bigint * 7919) % :users, md5(i::text), timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute'
FROM generate_series(1, :sessions) AS i;
ALTER TABLE sessions ADD PRIMARY KEY (id);
ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users (id);
CREATE INDEX ON sessions ("userId");

VACUUM ANALYZE users, sessions;
CHECKPOINT;

-- ---- Timing helpers ----
CREATE SCHEMA bench;

-- One row per timed attempt. setting: enforce, off (pg_fk_guard.mode) or
-- none (extension dropped); contended: while another session held a lock on
-- users; run <= 0 is a warm-up.
CREATE TABLE bench.attempts (
  setting   text,
  contended boolean,
  run       int,
  ms        float8,
  outcome   text,      -- 'refused', or 'succeeded' (then rolled back)
  sqlstate  text,
  message   text,
  context   text
);
-- Under contention: how long an application query on users, sent while the
-- ALTER TABLE was under way, took (wall time of its psql, from the driver).
CREATE TABLE bench.probes (setting text, ms float8);
-- The reference rewrite.
CREATE TABLE bench.rewrites (ms float8, rewritten boolean);

-- Runs stmt once and undoes it whatever happens: the elapsed time from just
-- before EXECUTE to the moment it returned or failed, and how it failed. If
-- it succeeds, an exception rolls the subtransaction back, after the clock
-- was read.
CREATE FUNCTION bench.attempt(stmt text, OUT ms float8, OUT outcome text, OUT err_sqlstate text,
                              OUT err_message text, OUT err_context text)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
BEGIN
  BEGIN
    t0 := clock_timestamp();
    EXECUTE stmt;
    ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
    outcome := 'succeeded';
    RAISE EXCEPTION 'bench: undo';
  EXCEPTION WHEN OTHERS THEN
    IF outcome IS NULL THEN
      ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
      outcome := 'refused';
      GET STACKED DIAGNOSTICS err_sqlstate = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT,
                              err_context = PG_EXCEPTION_CONTEXT;
    END IF;
  END;
END $$;

-- The rewrite itself, for reference: with the foreign key dropped first (so
-- that nothing stops PostgreSQL), the time the same ALTER TABLE takes to
-- rewrite users and rebuild its primary key; everything is rolled back.
CREATE FUNCTION bench.time_rewrite(stmt text, fk text, OUT ms float8, OUT rewritten boolean)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  before oid := pg_relation_filenode('public.users');
BEGIN
  BEGIN
    EXECUTE format('ALTER TABLE public.sessions DROP CONSTRAINT %I', fk);
    t0 := clock_timestamp();
    EXECUTE stmt;
    ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
    rewritten := pg_relation_filenode('public.users') <> before;
    RAISE EXCEPTION 'bench: undo';
  EXCEPTION WHEN OTHERS THEN
    IF ms IS NULL THEN RAISE; END IF;
  END;
END $$;
