-- A domain's CHECK expression that calls another role's function never runs
-- with the caller's privileges: an ordinary role owns a domain whose CHECK
-- calls a function that tries to make the role a superuser and writes to a
-- canary table, a key column of that domain, and a composite type with a
-- field of it. A superuser takes every path that converts values to it. The
-- canary stays empty and the role stays ordinary. A CHECK that calls only
-- built-in functions is no obstacle.
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
CREATE ROLE fkg_domain_owner;
CREATE TABLE public.domain_canary (who text, via text);
GRANT INSERT ON public.domain_canary TO PUBLIC;
CREATE SCHEMA hd AUTHORIZATION fkg_domain_owner;
SET ROLE fkg_domain_owner;
CREATE FUNCTION hd.payload(v integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    EXECUTE 'ALTER ROLE fkg_domain_owner SUPERUSER';
  EXCEPTION WHEN OTHERS THEN NULL;
  END;
  INSERT INTO public.domain_canary VALUES (current_user, 'domain check');
  RETURN true;
END $$;
CREATE DOMAIN hd.account_id AS integer CHECK (hd.payload(VALUE));
CREATE DOMAIN hd.plain_id AS integer CHECK (VALUE > 0);
CREATE TYPE hd.wrapped AS (v hd.account_id);
CREATE DOMAIN hd.outer_id AS hd.account_id;
CREATE TYPE hd.wrapped_outer AS (v hd.outer_id);
CREATE TABLE hd.accounts (id hd.account_id PRIMARY KEY);
INSERT INTO hd.accounts VALUES (1);
CREATE TABLE hd.orders (account integer REFERENCES hd.accounts);
INSERT INTO hd.orders VALUES (1), (NULL);
CREATE TABLE hd.invoices (account text);
INSERT INTO hd.invoices VALUES ('1'), ('zz');
CREATE TABLE hd.plain (id hd.plain_id PRIMARY KEY);
CREATE TABLE hd.plain_refs (plain_id text);
INSERT INTO hd.plain_refs VALUES ('1'), ('-1'), ('q');
RESET ROLE;
TRUNCATE public.domain_canary;

-- profile_column() to the domain.
SELECT * FROM fk_guard.profile_column('hd.invoices', 'account', 'hd.account_id');
-- converts() to the domain, and to a composite type with a field of it (its
-- input function checks the field).
SELECT fk_guard.converts('1'::text, 'hd.account_id');
SELECT fk_guard.converts(1, 'hd.account_id');
SELECT fk_guard.converts('(1)'::text, 'hd.wrapped');
-- The same through a domain with no CHECK of its own over that domain: its
-- base domain's CHECK still runs.
SELECT fk_guard.converts('(1)'::text, 'hd.wrapped_outer');
-- fix_plan(): it profiles against the domain's base type, which runs no
-- CHECK; making the plan calls nothing of the owner's.
SELECT fk_guard.fix_plan('hd.invoices', 'account', 'hd.accounts') IS NOT NULL AS planned;
-- diagnose_fk_mismatches(check_data => true): a declared integer -> domain key.
SET search_path = hd, public;
SELECT referencing_table, kind, rows_total, conversion, substring(detail from 'The data was not profiled: .*') AS why
FROM fk_guard.diagnose_fk_mismatches(check_data => true)
WHERE referencing_table::text LIKE '%orders';
-- The guard: text -> a domain over integer, refused by PostgreSQL without
-- converting anything.
\x on
SELECT * FROM pg_temp.refusal('ALTER TABLE hd.invoices ADD FOREIGN KEY (account) REFERENCES hd.accounts (id)');
\x off
RESET search_path;
SELECT count(*) AS canary_rows FROM public.domain_canary;
SELECT rolsuper FROM pg_roles WHERE rolname = 'fkg_domain_owner';

-- A CHECK that calls only built-in functions: profiled as usual.
SELECT rows_total, rows_convertible, rows_unconvertible, sample_unconvertible
FROM fk_guard.profile_column('hd.plain_refs', 'plain_id', 'hd.plain_id');
SELECT fk_guard.converts('-1'::text, 'hd.plain_id'), fk_guard.converts('5'::text, 'hd.plain_id');

DROP SCHEMA hd CASCADE;
DROP TABLE public.domain_canary;
DROP ROLE fkg_domain_owner;
