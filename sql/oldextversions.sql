-- Versions and upgrades: install 1.0 as shipped, put data with a foreign-key
-- mismatch in place, ALTER EXTENSION pg_fk_guard UPDATE to the newest
-- version, and compare every member object of the extension (and each
-- function's signature, settings and body) with a fresh install of the
-- newest version. Any difference between extension/pg_fk_guard.sql and the
-- upgrade scripts shows up as rows of the symmetric difference below.
\set orig_db :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS fkg_oldextversions;
CREATE DATABASE fkg_oldextversions;
\c fkg_oldextversions
SET client_min_messages = warning;

-- What a version installs: one line per member object, with whatever of it an
-- upgrade could get wrong.
CREATE SCHEMA snap;
CREATE FUNCTION snap.objects() RETURNS SETOF text
LANGUAGE sql STABLE AS $$
  SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
         || coalesce(' | owner ' || (SELECT n.nspowner::regrole::text || ' acl ' || coalesce(n.nspacl::text, '-')
                                       || ' comment ' || coalesce(obj_description(n.oid, 'pg_namespace'), '-')
                                     FROM pg_namespace n WHERE d.classid = 'pg_namespace'::regclass AND n.oid = d.objid), '')
         || coalesce(' | ' || (SELECT p.oid::regprocedure::text
                                       || ' (' || pg_get_function_identity_arguments(p.oid) || ')'
                                       || ' args ' || pg_get_function_arguments(p.oid)
                                       || ' returns ' || pg_get_function_result(p.oid)
                                       || ' kind ' || p.prokind::text || ' lang ' || l.lanname
                                       || ' volatility ' || p.provolatile::text || ' strict ' || p.proisstrict
                                       || ' parallel ' || p.proparallel::text || ' secdef ' || p.prosecdef
                                       || ' leakproof ' || p.proleakproof || ' cost ' || p.procost || ' rows ' || p.prorows
                                       || ' config ' || coalesce(p.proconfig::text, '-')
                                       || ' acl ' || coalesce(p.proacl::text, '-')
                                       || ' bin ' || coalesce(p.probin, '-') || ' src ' || md5(p.prosrc)
                                       || ' comment ' || coalesce(obj_description(p.oid, 'pg_proc'), '-')
                                     FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                                    WHERE d.classid = 'pg_proc'::regclass AND p.oid = d.objid), '')
         || coalesce(' | ' || (SELECT t.typnamespace::regnamespace::text || '.' || t.typname
                                       || ' type ' || t.typtype::text || ' acl ' || coalesce(t.typacl::text, '-')
                                       || ' comment ' || coalesce(obj_description(t.oid, 'pg_type'), '-')
                                       || ' columns ' || coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                                                                    FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '-')
                                     FROM pg_type t WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid), '')
         || coalesce(' | ' || (SELECT 'on ' || e.evtevent || ' tags ' || coalesce(e.evttags::text, '-')
                                       || ' enabled ' || e.evtenabled::text || ' runs ' || e.evtfoid::regprocedure::text
                                     FROM pg_event_trigger e WHERE d.classid = 'pg_event_trigger'::regclass AND e.oid = d.objid), '')
         || coalesce(' | initial privileges ' || (SELECT i.privtype::text || ' ' || i.initprivs::text FROM pg_init_privs i
                                                   WHERE i.classoid = d.classid AND i.objoid = d.objid AND i.objsubid = d.objsubid), '')
    FROM pg_depend d
   WHERE d.refclassid = 'pg_extension'::regclass
     AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_fk_guard')
     AND d.deptype = 'e'
  UNION ALL
  SELECT 'extension in schema ' || e.extnamespace::regnamespace::text || ' relocatable ' || e.extrelocatable
         || ' config ' || coalesce((SELECT array_agg(c::regclass::text ORDER BY c::regclass::text) FROM unnest(e.extconfig) c)::text, '-')
         || ' conditions ' || coalesce(e.extcondition::text, '-')
         || ' comment ' || coalesce(obj_description(e.oid, 'pg_extension'), '-')
    FROM pg_extension e WHERE e.extname = 'pg_fk_guard'
  UNION ALL
  SELECT 'dependency of the extension on ' || pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid) || ' ' || d.deptype::text
    FROM pg_depend d
   WHERE d.classid = 'pg_extension'::regclass
     AND d.objid = (SELECT oid FROM pg_extension WHERE extname = 'pg_fk_guard')
$$;

-- A fresh install of the newest version.
CREATE EXTENSION pg_fk_guard;
SELECT extversion = default_version AS fresh_is_newest
  FROM pg_extension, pg_available_extensions WHERE extname = 'pg_fk_guard' AND name = extname;
CREATE TABLE snap.fresh AS SELECT * FROM snap.objects() AS o(line);
SELECT count(*) > 12 AS fresh_has_members FROM snap.fresh;
DROP EXTENSION pg_fk_guard;

-- 1.0 as shipped, with tables, data and a soft mismatch (integer column
-- referencing bigint) in place.
CREATE EXTENSION pg_fk_guard VERSION '1.0';
SELECT extversion, extnamespace::regnamespace AS in_schema FROM pg_extension WHERE extname = 'pg_fk_guard';
CREATE TABLE public.accounts (id bigint PRIMARY KEY);
CREATE TABLE public.orders (id int PRIMARY KEY, account_id integer REFERENCES public.accounts);
INSERT INTO public.accounts VALUES (1), (2);
INSERT INTO public.orders VALUES (1, 1), (2, 2), (3, NULL);
SELECT constraint_name, kind, severity, rows_total FROM fk_guard.diagnose_fk_mismatches(check_data => true);
-- The new module serves 1.0's functions until the update: every C entry
-- point 1.0's script names still works, with 1.0's argument lists.
SELECT kind FROM fk_guard.classify_key_pair('integer', 'bigint');
SELECT rows_total, rows_null, rows_convertible, rows_orphaned
  FROM fk_guard.profile_column('public.orders', 'account_id', 'bigint', 'public.accounts');
SELECT fk_guard.converts('12'::text, 'integer') AS converts;
SELECT fk_guard.fix_plan('public.orders', 'account_id', 'public.accounts') LIKE '-- pg_fk_guard fix plan: %' AS fix_plan_written;
SELECT fk_guard.assert_no_mismatches('error');
-- 1.0's schema is not a member of the extension (so pg_dump dumps it).
SELECT count(*) AS schema_is_member FROM pg_depend
 WHERE classid = 'pg_namespace'::regclass AND objid = 'fk_guard'::regnamespace AND deptype = 'e';

-- There is a path from 1.0 to the newest version.
SELECT count(*) AS update_paths FROM pg_extension_update_paths('pg_fk_guard') p, pg_available_extensions a
 WHERE a.name = 'pg_fk_guard' AND p.source = '1.0' AND p.target = a.default_version AND p.path IS NOT NULL;

ALTER EXTENSION pg_fk_guard UPDATE;
SELECT extversion = default_version AS updated_to_newest
  FROM pg_extension, pg_available_extensions WHERE extname = 'pg_fk_guard' AND name = extname;
CREATE TABLE snap.updated AS SELECT * FROM snap.objects() AS o(line);

-- The symmetric difference: what only the updated install has, what only a
-- fresh install has. Both must be empty.
SELECT 'only after update' AS side, line FROM (SELECT line FROM snap.updated EXCEPT SELECT line FROM snap.fresh) x
UNION ALL
SELECT 'only in fresh install', line FROM (SELECT line FROM snap.fresh EXCEPT SELECT line FROM snap.updated) y
ORDER BY 1, 2;

-- The data and the mismatch came through; the functions and the guard work.
SELECT id, account_id FROM public.orders ORDER BY id;
SELECT constraint_name, kind, severity, rows_total FROM fk_guard.diagnose_fk_mismatches(check_data => true);
SELECT kind FROM fk_guard.classify_key_pair('integer', 'bigint');
CREATE TABLE public.sessions (id int PRIMARY KEY, account_id uuid);
\set VERBOSITY terse
ALTER TABLE public.sessions ADD FOREIGN KEY (account_id) REFERENCES public.accounts;
\set VERBOSITY default
-- Dropping the extension takes schema fk_guard with it, and nothing else.
DROP EXTENSION pg_fk_guard;
SELECT count(*) AS fk_guard_schemas FROM pg_namespace WHERE nspname = 'fk_guard';
SELECT count(*) AS orders FROM public.orders;

\c :orig_db
SET client_min_messages = warning;
DROP DATABASE fkg_oldextversions;
