-- pg_fk_guard: the SQL interface. The versioned script
-- pg_fk_guard--<version>.sql is built from this file by the Makefile.

\echo Use "CREATE EXTENSION pg_fk_guard" to load this file. \quit

-- Everyone may call the diagnostic functions; they run as the caller.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

CREATE FUNCTION diagnose_fk_mismatches()
RETURNS TABLE (
  source text,
  constraint_name name,
  referencing_table regclass,
  referencing_column name,
  referencing_type text,
  referenced_table regclass,
  referenced_column name,
  referenced_type text,
  kind text,
  severity text,
  detail text,
  suggested_fix text)
LANGUAGE c STABLE PARALLEL SAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'diagnose_fk_mismatches';

COMMENT ON FUNCTION diagnose_fk_mismatches() IS
'one row per declared foreign-key column pair whose types do not match: kind, severity, explanation and a fix';

CREATE FUNCTION classify_key_pair(
  referencing_type text,
  referenced_type text,
  referencing_collation text DEFAULT NULL,
  referenced_collation text DEFAULT NULL,
  referenced_opclass text DEFAULT NULL,
  OUT kind text,
  OUT severity text,
  OUT detail text,
  OUT kinds text[])
RETURNS record
LANGUAGE c STABLE PARALLEL SAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'classify_key_pair';

COMMENT ON FUNCTION classify_key_pair(text, text, text, text, text) IS
'the verdict for a what-if key pair: a column of referencing_type referencing a unique key of referenced_type';

CREATE FUNCTION selftest_error_boundary(failure text)
RETURNS text
LANGUAGE c VOLATILE STRICT SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'selftest_error_boundary';

COMMENT ON FUNCTION selftest_error_boundary(text) IS
'support: raises a C++ or PostgreSQL failure under C++ frames to show it surfaces as a clean ERROR';

REVOKE ALL ON FUNCTION selftest_error_boundary(text) FROM PUBLIC;

-- The migration guard. Its function has no SET search_path on purpose: it
-- resolves the statement's names with the session's search_path, exactly as
-- PostgreSQL is about to.
CREATE FUNCTION guard_ddl_start()
RETURNS event_trigger
LANGUAGE c SECURITY INVOKER
AS 'MODULE_PATHNAME', 'guard_ddl_start';

REVOKE ALL ON FUNCTION guard_ddl_start() FROM PUBLIC;

CREATE EVENT TRIGGER pg_fk_guard_ddl_start ON ddl_command_start
  WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
  EXECUTE FUNCTION guard_ddl_start();

CREATE FUNCTION guard_ddl_end()
RETURNS event_trigger
LANGUAGE c SECURITY INVOKER
AS 'MODULE_PATHNAME', 'guard_ddl_end';

REVOKE ALL ON FUNCTION guard_ddl_end() FROM PUBLIC;

CREATE EVENT TRIGGER pg_fk_guard_ddl_end ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
  EXECUTE FUNCTION guard_ddl_end();
