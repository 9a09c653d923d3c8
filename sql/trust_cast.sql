-- A table owner's cast never runs with the caller's privileges: an ordinary
-- role owns an enum and a composite type with casts to integer whose
-- functions try to make the role a superuser and write to a canary table. A
-- superuser then takes every path that converts values: profile_column(),
-- converts(), fix_plan(), diagnose_fk_mismatches(check_data => true) and the
-- guard's refusal (PostgreSQL itself refuses that foreign key without
-- running any cast). The canary stays empty and the role stays ordinary.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
\set VERBOSITY default
-- The guard's refusal of a statement: SQLSTATE, DETAIL, and the HINT's
-- sentence about the conversion (the rest of the HINT is the guard's own test).
CREATE FUNCTION pg_temp.refusal(stmt text) RETURNS TABLE (sqlstate text, detail text, hint text)
LANGUAGE plpgsql AS $$
DECLARE
  d text;
  h text;
BEGIN
  EXECUTE stmt;
  RETURN QUERY SELECT 'none'::text, NULL::text, NULL::text;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
  RETURN QUERY SELECT SQLSTATE::text, d, substring(h from 'That conversion runs[^.]*\.');
END $$;
CREATE ROLE fkg_cast_owner;
CREATE TABLE public.cast_canary (who text, via text);
GRANT INSERT ON public.cast_canary TO PUBLIC;
CREATE SCHEMA hc AUTHORIZATION fkg_cast_owner;
SET ROLE fkg_cast_owner;
CREATE FUNCTION hc.payload(via text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    EXECUTE 'ALTER ROLE fkg_cast_owner SUPERUSER';
  EXCEPTION WHEN OTHERS THEN NULL;
  END;
  INSERT INTO public.cast_canary VALUES (current_user, via);
  RETURN true;
END $$;
CREATE TYPE hc.mood AS ENUM ('1', '2', 'x');
CREATE FUNCTION hc.mood_to_int(hc.mood) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN PERFORM hc.payload('enum cast'); RETURN $1::text::integer; END $$;
CREATE CAST (hc.mood AS integer) WITH FUNCTION hc.mood_to_int(hc.mood);
CREATE TYPE hc.boxed AS (v integer);
CREATE FUNCTION hc.boxed_to_int(hc.boxed) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN PERFORM hc.payload('composite cast'); RETURN ($1).v; END $$;
CREATE CAST (hc.boxed AS integer) WITH FUNCTION hc.boxed_to_int(hc.boxed);
CREATE TABLE hc.users (id integer PRIMARY KEY);
INSERT INTO hc.users VALUES (1), (2);
CREATE TABLE hc.feelings (id int, m hc.mood);
INSERT INTO hc.feelings VALUES (1, '1'), (2, 'x'), (3, NULL);
CREATE TABLE hc.boxes (id int, "userId" hc.boxed);  -- implied: "userId" -> users.id
INSERT INTO hc.boxes VALUES (1, ROW(1)), (2, ROW(7));
RESET ROLE;

-- profile_column(): an error that names the cast and its owner.
SELECT * FROM fk_guard.profile_column('hc.feelings', 'm', 'integer');
SELECT * FROM fk_guard.profile_column('hc.boxes', 'userId', 'integer', 'hc.users');
-- converts(): the same.
SELECT fk_guard.converts('x'::hc.mood, 'integer');
SELECT fk_guard.converts(ROW(1)::hc.boxed, 'integer');
-- fix_plan(): it needs the figures, so the same error.
SELECT fk_guard.fix_plan('hc.feelings', 'm', 'hc.users');
-- diagnose_fk_mismatches(check_data => true): the row's data columns are
-- NULL and its detail says why.
SET search_path = hc, public;
SELECT referencing_table, referencing_column, kind, rows_total, rows_unconvertible, conversion,
       substring(detail from 'The data was not profiled: .*') AS why
FROM fk_guard.diagnose_fk_mismatches(check_data => true)
WHERE referencing_table::text LIKE '%boxes';
-- The guard: PostgreSQL refuses this foreign key without calling the cast,
-- and so does the guard; its DETAIL says the data was not profiled, and why.
\x on
SELECT * FROM pg_temp.refusal('ALTER TABLE hc.feelings ADD FOREIGN KEY (m) REFERENCES hc.users (id)');
\x off
RESET search_path;

SELECT count(*) AS canary_rows FROM public.cast_canary;
SELECT rolsuper FROM pg_roles WHERE rolname = 'fkg_cast_owner';

-- The owner's own code, run by the owner, is the owner's business: the
-- diagnostic functions run it with the owner's own privileges.
SET ROLE fkg_cast_owner;
SELECT rows_total, rows_null, rows_convertible, rows_unconvertible
FROM fk_guard.profile_column('hc.feelings', 'm', 'integer');
SELECT fk_guard.converts('2'::hc.mood, 'integer');
-- The guard is stricter: for a statement PostgreSQL refuses without running
-- any user code, it runs none, not even the caller's own.
\x on
SELECT * FROM pg_temp.refusal('ALTER TABLE hc.feelings ADD FOREIGN KEY (m) REFERENCES hc.users (id)');
\x off
RESET ROLE;
SELECT who, via, count(*) FROM public.cast_canary GROUP BY 1, 2 ORDER BY 1, 2;
SELECT rolsuper FROM pg_roles WHERE rolname = 'fkg_cast_owner';

-- Built-in code is trusted for what it is, whoever owns it: a built-in
-- function given to an ordinary role is still PostgreSQL's own code (the role
-- cannot replace it, which needs CREATE on pg_catalog).
ALTER FUNCTION pg_catalog.int4in(cstring) OWNER TO fkg_cast_owner;
SELECT fk_guard.converts('12'::text, 'integer') AS converts_12, fk_guard.converts('x'::text, 'integer') AS converts_x;
DO $$ BEGIN
  EXECUTE format('ALTER FUNCTION pg_catalog.int4in(cstring) OWNER TO %I', (SELECT rolname FROM pg_roles WHERE oid = 10));
END $$;

DROP SCHEMA hc CASCADE;
DROP TABLE public.cast_canary;
DROP ROLE fkg_cast_owner;
