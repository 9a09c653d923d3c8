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
-- Names as regclassout writes them: a temporary table named like a catalog
-- relation (pg_user) is hidden by it, so it is named with its schema; one
-- that is not hidden is named bare.
SET pg_fk_guard.soft_mismatches = ignore;
CREATE TEMP TABLE tmp_keys (id int PRIMARY KEY);
CREATE TEMP TABLE pg_user (k bigint REFERENCES tmp_keys);
RESET pg_fk_guard.soft_mismatches;
DO $$
DECLARE
  d text;
BEGIN
  PERFORM fk_guard.assert_no_mismatches('notice');
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RAISE NOTICE '%', (SELECT string_agg(regexp_replace(l, 'pg_temp_\d+', 'pg_temp_N', 'g'), E'\n')
                     FROM regexp_split_to_table(d, E'\n') l WHERE l LIKE '%pg_user%');
END $$;
DROP TABLE pg_user, tmp_keys;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA ci CASCADE;
