-- Mapping discovery (fix_plan(..., on_unconvertible => 'map')) compares
-- values only with code that belongs to the system: an ordinary role's
-- equality operator for its own enum, and an implicit cast of it to bigint,
-- whose functions write to a canary table, are never called by a superuser's
-- fix_plan(). With the operator alone, the built-in enum equality finds the
-- mapping; with the implicit cast too, PostgreSQL itself cannot choose an
-- equality operator, and nothing runs.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
\set VERBOSITY default
CREATE ROLE fkg_operator_owner;
CREATE TABLE public.operator_canary (who text, via text);
GRANT INSERT ON public.operator_canary TO PUBLIC;
CREATE SCHEMA hm AUTHORIZATION fkg_operator_owner;
SET ROLE fkg_operator_owner;
CREATE FUNCTION hm.payload(via text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    EXECUTE 'ALTER ROLE fkg_operator_owner SUPERUSER';
  EXCEPTION WHEN OTHERS THEN NULL;
  END;
  INSERT INTO public.operator_canary VALUES (current_user, via);
  RETURN true;
END $$;
CREATE TYPE hm.token AS ENUM ('a', 'b', 'c');
CREATE FUNCTION hm.token_eq(hm.token, hm.token) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM hm.payload('operator'); RETURN $1::text = $2::text; END $$;
CREATE OPERATOR hm.= (LEFTARG = hm.token, RIGHTARG = hm.token, FUNCTION = hm.token_eq);
CREATE TABLE hm.users (id integer PRIMARY KEY, legacy hm.token UNIQUE);
INSERT INTO hm.users VALUES (1, 'a'), (2, 'b');
CREATE TABLE hm.sessions (sid int, "userId" hm.token);
INSERT INTO hm.sessions VALUES (1, 'a'), (2, 'b'), (3, NULL);
RESET ROLE;

SET search_path = hm, public;  -- the caller's search_path finds hm.=; mapping discovery does not use it
SELECT fk_guard.fix_plan('hm.sessions', 'userId', 'hm.users', on_unconvertible => 'map') ~ 'legacy' AS maps_through_legacy;
SELECT count(*) AS canary_rows FROM public.operator_canary;

SET ROLE fkg_operator_owner;
CREATE FUNCTION hm.token_big(hm.token) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN PERFORM hm.payload('implicit cast'); RETURN 1; END $$;
CREATE CAST (hm.token AS bigint) WITH FUNCTION hm.token_big(hm.token) AS IMPLICIT;
RESET ROLE;
SELECT fk_guard.fix_plan('hm.sessions', 'userId', 'hm.users', on_unconvertible => 'map');
RESET search_path;
SELECT count(*) AS canary_rows FROM public.operator_canary;
SELECT rolsuper FROM pg_roles WHERE rolname = 'fkg_operator_owner';

DROP SCHEMA hm CASCADE;
DROP TABLE public.operator_canary;
DROP ROLE fkg_operator_owner;
