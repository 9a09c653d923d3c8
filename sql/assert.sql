-- assert_no_mismatches(): for CI pipelines.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
CREATE SCHEMA ci;
SET search_path = ci, public;
SELECT fk_guard.assert_no_mismatches();
SET pg_fk_guard.soft_mismatches = ignore;
CREATE TABLE ci.accounts (id bigint PRIMARY KEY);
CREATE TABLE ci.wide_refs (account_id bigint REFERENCES ci.accounts);
CREATE TABLE ci.small (id int PRIMARY KEY);
CREATE TABLE ci.wide (small_id bigint REFERENCES ci.small);
-- Notices only: passes at the default (warning), fails at notice.
SELECT fk_guard.assert_no_mismatches();
SELECT fk_guard.assert_no_mismatches('notice');
CREATE TABLE ci.logins (account_id integer REFERENCES ci.accounts);
CREATE TABLE ci.users (id integer PRIMARY KEY);
CREATE TABLE ci.sessions ("userId" uuid);
SELECT fk_guard.assert_no_mismatches();
SELECT fk_guard.assert_no_mismatches('error');
SELECT fk_guard.assert_no_mismatches('fatal');
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA ci CASCADE;
