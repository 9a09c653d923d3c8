-- A regclass or regtype that names nothing (a dropped table, type 0) is an
-- error that says so: never "(null)", never "cache lookup failed". Pseudo-
-- types and shell types are refused as targets.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
\set VERBOSITY default
CREATE TABLE do_users (id integer PRIMARY KEY);
CREATE TABLE do_refs (user_ref text);
CREATE TABLE do_gone (a integer);
SELECT 'do_gone'::regclass::oid AS gone \gset
DROP TABLE do_gone;
CREATE TYPE do_shell;
-- Runs a statement; prints its SQLSTATE and message with OIDs masked.
CREATE FUNCTION pg_temp.outcome(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, 'OID [0-9]+', 'OID <n>');
END $$;
SELECT pg_temp.outcome(format('SELECT * FROM fk_guard.profile_column(%s, %L, %L)', :gone, 'a', 'integer'));
SELECT pg_temp.outcome(format('SELECT * FROM fk_guard.profile_column(%L, %L, %L, %s)', 'do_refs', 'user_ref', 'integer', :gone));
SELECT pg_temp.outcome(format('SELECT fk_guard.fix_plan(%s, %L, %L)', :gone, 'a', 'do_users'));
SELECT pg_temp.outcome(format('SELECT fk_guard.fix_plan(%L, %L, %s)', 'do_refs', 'user_ref', :gone));
SELECT pg_temp.outcome('SELECT * FROM fk_guard.profile_column(''do_refs'', ''user_ref'', 0)');
SELECT pg_temp.outcome('SELECT fk_guard.converts(''1''::text, 0)');
SELECT pg_temp.outcome('SELECT fk_guard.converts(''1''::text, 123456789)');
SELECT pg_temp.outcome('SELECT * FROM fk_guard.profile_column(''do_refs'', ''user_ref'', ''anyelement'')');
SELECT pg_temp.outcome('SELECT fk_guard.converts(''1''::text, ''record'')');
SELECT pg_temp.outcome('SELECT fk_guard.converts(''1''::text, ''do_shell'')');
SELECT pg_temp.outcome('SELECT * FROM fk_guard.classify_key_pair(''integer'', ''anyelement'')');
SELECT pg_temp.outcome('SELECT * FROM fk_guard.classify_key_pair(''integer'', ''do_shell'')');
-- Columns that do not exist, or are system columns, on a table that does.
SELECT pg_temp.outcome('SELECT * FROM fk_guard.profile_column(''do_refs'', ''nope'', ''integer'')');
SELECT pg_temp.outcome('SELECT * FROM fk_guard.profile_column(''do_refs'', ''ctid'', ''integer'')');
SELECT pg_temp.outcome('SELECT fk_guard.fix_plan(''do_refs'', ''user_ref'', ''do_users'', ''nope'')');
DROP TYPE do_shell;
DROP TABLE do_refs, do_users;
