-- fix_plan(): scripts that run, on the story's database, with each option.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
CREATE SCHEMA story;
SET search_path = story, public;
CREATE TABLE users (id serial PRIMARY KEY, email text, legacy_uuid uuid UNIQUE);
INSERT INTO users (email, legacy_uuid) VALUES
  ('a@example.com', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
  ('b@example.com', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22');
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid);
INSERT INTO sessions VALUES
  ('s1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
  ('s2', NULL),
  ('s3', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22'),
  ('s4', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22');

-- The default: stop before anything changes, because rows would be lost.
SELECT fk_guard.fix_plan('sessions', 'userId', 'users');
BEGIN;
SELECT fk_guard.fix_plan('sessions', 'userId', 'users') \gexec
ROLLBACK;
SELECT sid, "userId" FROM sessions ORDER BY sid;

-- map: through users.legacy_uuid, found by mapping discovery.
SELECT fk_guard.fix_plan('sessions', 'userId', 'users', on_unconvertible => 'map');
BEGIN;
SELECT fk_guard.fix_plan('sessions', 'userId', 'users', on_unconvertible => 'map') \gexec
\d sessions
SELECT sid, "userId" FROM sessions ORDER BY sid;
SELECT convalidated FROM pg_constraint WHERE conname = 'sessions_userId_fkey';
ROLLBACK;

-- null: what cannot convert becomes NULL.
BEGIN;
SELECT fk_guard.fix_plan('sessions', 'userId', 'users', on_unconvertible => 'null') \gexec
SELECT sid, "userId" FROM sessions ORDER BY sid;
SELECT pg_catalog.format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'sessions'::regclass AND attname = 'userId';
ROLLBACK;

-- delete: the rows go.
BEGIN;
SELECT fk_guard.fix_plan('sessions', 'userId', 'users', on_unconvertible => 'delete') \gexec
SELECT sid, "userId" FROM sessions ORDER BY sid;
ROLLBACK;

-- text values, some convertible, one orphan, one not a number.
CREATE TABLE tokens (id int PRIMARY KEY, user_ref text NOT NULL);
INSERT INTO tokens VALUES (1, '1'), (2, ' 2'), (3, '99'), (4, 'x');
SELECT fk_guard.fix_plan('tokens', 'user_ref', 'users', on_unconvertible => 'null');
SELECT fk_guard.fix_plan('tokens', 'user_ref', 'users', on_unconvertible => 'delete');
BEGIN;
SELECT fk_guard.fix_plan('tokens', 'user_ref', 'users', on_unconvertible => 'delete') \gexec
SELECT * FROM tokens ORDER BY id;
ROLLBACK;
SELECT fk_guard.fix_plan('tokens', 'user_ref', 'users', on_unconvertible => 'map');
SELECT fk_guard.fix_plan('tokens', 'user_ref', 'users', on_unconvertible => 'sometimes');

-- A declared soft mismatch: the plan drops and re-adds the constraint.
CREATE TABLE accounts (id bigint PRIMARY KEY);
INSERT INTO accounts VALUES (1), (2);
SET pg_fk_guard.soft_mismatches = ignore;
CREATE TABLE logins (id int PRIMARY KEY, account_id integer REFERENCES accounts);
RESET pg_fk_guard.soft_mismatches;
INSERT INTO logins VALUES (1, 1), (2, NULL);
SELECT fk_guard.fix_plan('logins', 'account_id', 'accounts');
BEGIN;
SELECT fk_guard.fix_plan('logins', 'account_id', 'accounts') \gexec
SELECT count(*) AS left_to_report FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table = 'logins'::regclass;
ROLLBACK;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA story CASCADE;
