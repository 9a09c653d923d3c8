-- The C++ / PostgreSQL error boundary: failures raised deep inside C++ frames
-- that hold live objects surface as clean ERRORs, and the session goes on.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
\set VERBOSITY default
-- A C++ exception thrown eight frames down.
SELECT fk_guard.selftest_error_boundary('cpp');
-- std::bad_alloc.
SELECT fk_guard.selftest_error_boundary('bad_alloc');
-- A user-facing error raised in C++ keeps its SQLSTATE, DETAIL and HINT.
SELECT fk_guard.selftest_error_boundary('user');
\echo :LAST_ERROR_SQLSTATE
-- A PostgreSQL ERROR raised by a PostgreSQL function called from C++ keeps
-- PostgreSQL's own SQLSTATE (22P02) and message.
SELECT fk_guard.selftest_error_boundary('postgres');
\echo :LAST_ERROR_SQLSTATE
-- Inside a transaction, under a savepoint, the error rolls back cleanly.
BEGIN;
SAVEPOINT s;
SELECT fk_guard.selftest_error_boundary('postgres');
ROLLBACK TO SAVEPOINT s;
SELECT fk_guard.selftest_error_boundary('none');
COMMIT;
-- Many in a row: no leak of PostgreSQL's error state, no crash.
DO $$
BEGIN
  FOR i IN 1..200 LOOP
    BEGIN
      PERFORM fk_guard.selftest_error_boundary(CASE i % 4 WHEN 0 THEN 'cpp' WHEN 1 THEN 'postgres'
                                                WHEN 2 THEN 'user' ELSE 'bad_alloc' END);
    EXCEPTION WHEN OTHERS THEN
      NULL;
    END;
  END LOOP;
END $$;
SELECT fk_guard.selftest_error_boundary('none');
SELECT fk_guard.selftest_error_boundary('typo');
-- Only superusers may call it.
CREATE ROLE fkg_plain_user;
SET ROLE fkg_plain_user;
SELECT fk_guard.selftest_error_boundary('none');
RESET ROLE;
DROP ROLE fkg_plain_user;
