-- profile_column(): what a column holds, checked against PostgreSQL itself.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
SET pg_fk_guard.soft_mismatches = ignore;
CREATE SCHEMA prof;
SET search_path = prof, public;

CREATE TABLE users (id serial PRIMARY KEY, legacy_uuid uuid UNIQUE);
INSERT INTO users (legacy_uuid) VALUES
  ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ('b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22'), (NULL);
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid);
INSERT INTO sessions VALUES ('s1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ('s2', NULL),
  ('s3', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22');
CREATE TABLE legacy (id int PRIMARY KEY, user_ref text, amount numeric);
INSERT INTO legacy VALUES (1, '1', 1.0), (2, ' 2 ', 2.5), (3, 'abc', NULL), (4, NULL, 99999999999),
  (5, '+3', 3), (6, '2147483648', 4), (7, '42', 5), (8, '1e3', 6);

\x on
-- uuid -> integer: no cast; every value goes through its text and fails.
SELECT * FROM fk_guard.profile_column('sessions', 'userId', 'integer');
-- text -> integer, with orphans against users.id.
SELECT * FROM fk_guard.profile_column('legacy', 'user_ref', 'integer', 'users');
-- numeric -> integer: a real cast (rounds, overflows), judged by PostgreSQL.
SELECT * FROM fk_guard.profile_column('legacy', 'amount', 'integer');
-- Same type: everything converts; orphans are still counted.
SELECT * FROM fk_guard.profile_column('sessions', 'userId', 'uuid', 'users', 'legacy_uuid', samples => 1);
\x off

-- "convertible" means exactly that the conversion succeeds: before NULLing
-- the unconvertible rows the conversion fails, after it, it succeeds.
CREATE FUNCTION prof.conversion_runs(tbl regclass, expr text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT count(%s) FROM %s', expr, tbl);
  RETURN true;
EXCEPTION WHEN OTHERS THEN
  RETURN false;
END $$;
SELECT p.rows_unconvertible, prof.conversion_runs('legacy', p.conversion) AS runs_before
FROM fk_guard.profile_column('legacy', 'user_ref', 'integer') p;
UPDATE legacy SET user_ref = NULL WHERE NOT fk_guard.converts(user_ref, 'integer');
SELECT p.rows_unconvertible, prof.conversion_runs('legacy', p.conversion) AS runs_after
FROM fk_guard.profile_column('legacy', 'user_ref', 'integer') p;
SELECT p.rows_unconvertible, prof.conversion_runs('legacy', p.conversion) AS runs_before
FROM fk_guard.profile_column('legacy', 'amount', 'integer') p;
UPDATE legacy SET amount = NULL WHERE NOT fk_guard.converts(amount, 'integer');
SELECT p.rows_unconvertible, prof.conversion_runs('legacy', p.conversion) AS runs_after
FROM fk_guard.profile_column('legacy', 'amount', 'integer') p;

-- As the calling user: privileges and row-level security apply.
CREATE ROLE fkg_profiler;
GRANT USAGE ON SCHEMA prof TO fkg_profiler;
SET ROLE fkg_profiler;
SELECT * FROM fk_guard.profile_column('prof.sessions', 'userId', 'integer');
RESET ROLE;
GRANT SELECT ON prof.sessions TO fkg_profiler;
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_s1 ON sessions FOR SELECT TO fkg_profiler USING (sid = 's1');
SET ROLE fkg_profiler;
SELECT rows_total, rows_unconvertible, sample_unconvertible
FROM fk_guard.profile_column('prof.sessions', 'userId', 'integer', samples => 5);
RESET ROLE;
DROP POLICY only_s1 ON sessions;
REVOKE ALL ON prof.sessions FROM fkg_profiler;
REVOKE ALL ON SCHEMA prof FROM fkg_profiler;
DROP ROLE fkg_profiler;

-- Errors a user can make.
SELECT * FROM fk_guard.profile_column('sessions', 'nope', 'integer');
CREATE TABLE nopk (id int);
SELECT * FROM fk_guard.profile_column('sessions', 'userId', 'integer', 'nopk');

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA prof CASCADE;
