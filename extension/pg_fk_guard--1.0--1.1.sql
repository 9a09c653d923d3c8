-- pg_fk_guard: upgrade from 1.0 to 1.1 (ALTER EXTENSION pg_fk_guard UPDATE).
--
-- CHANGING THE SQL INTERFACE: until 1.1 is released, every change made to
-- extension/pg_fk_guard.sql (the newest version's script) must also be made
-- here, so that an updated 1.0 installation ends with exactly what a fresh
-- install of 1.1 has. sql/oldextversions.sql compares the two and fails on
-- any difference.
--
-- The script runs with search_path = fk_guard, pg_temp (1.0's schema): name
-- every object fk_guard.<name> all the same.

\echo Use "ALTER EXTENSION pg_fk_guard UPDATE TO '1.1'" to load this file. \quit

-- Schema fk_guard becomes a member of the extension, as in a fresh 1.1
-- install, so that pg_dump stops writing a CREATE SCHEMA fk_guard of its own.
-- 1.0 was installed "in" fk_guard (the control file named it), and a schema
-- that holds its own extension cannot be a member of it; 1.1 is installed in
-- pg_catalog, as the control file now says. ALTER EXTENSION SET SCHEMA
-- cannot move an extension that is not relocatable, so the catalog rows are
-- changed directly: the extension's home becomes pg_catalog (on which, being
-- pinned, no dependency is recorded, just as CREATE EXTENSION records none),
-- then fk_guard joins the extension. Nothing else moves: every object stays
-- in fk_guard with its name, OID, owner and privileges.
DELETE FROM pg_catalog.pg_depend
 WHERE classid = 'pg_catalog.pg_extension'::pg_catalog.regclass
   AND objid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'pg_fk_guard')
   AND objsubid = 0
   AND refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
   AND refobjid = 'fk_guard'::pg_catalog.regnamespace
   AND deptype = 'n';

UPDATE pg_catalog.pg_extension
   SET extnamespace = 'pg_catalog'::pg_catalog.regnamespace
 WHERE extname = 'pg_fk_guard';

ALTER EXTENSION pg_fk_guard ADD SCHEMA fk_guard;

-- fix_plan() gains allow_cascade and constraint_name (on_unconvertible => 'delete' stops when
-- ON DELETE actions would change rows of other tables, unless allowed). A
-- second overload would make calls with five or fewer arguments ambiguous,
-- so the five-argument function is replaced.
DROP FUNCTION fk_guard.fix_plan(regclass, name, regclass, name, text);

CREATE FUNCTION fk_guard.fix_plan(
  referencing_table regclass,
  referencing_column name,
  referenced_table regclass,
  referenced_column name DEFAULT NULL,
  on_unconvertible text DEFAULT 'fail',
  allow_cascade boolean DEFAULT false,
  constraint_name name DEFAULT NULL)
RETURNS text
LANGUAGE c VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'fix_plan';

COMMENT ON FUNCTION fk_guard.fix_plan(regclass, name, regclass, name, text, boolean, name) IS
'a SQL script, in a safe order, that converts a column in place and adds its foreign key; on_unconvertible: fail, null, delete or map; allow_cascade: let delete change rows of other tables through ON DELETE; constraint_name: the name the key must have';

-- NULL arguments are errors that name the argument (a NULL value given to
-- converts() gives NULL), not an empty result or a silent pass: the C bodies
-- check them, so the functions are no longer STRICT.
ALTER FUNCTION fk_guard.diagnose_fk_mismatches_in(boolean, boolean, name[]) CALLED ON NULL INPUT;
ALTER FUNCTION fk_guard.assert_no_mismatches_in(text, name[]) CALLED ON NULL INPUT;
ALTER FUNCTION fk_guard.converts(anyelement, regtype, integer) CALLED ON NULL INPUT;

-- fk_guard.change_key_type_plan(): new in 1.1.
CREATE FUNCTION fk_guard.change_key_type_plan(
  referenced_table regclass,
  referenced_column name,
  new_type regtype,
  on_unconvertible text DEFAULT 'fail',
  new_key_expression text DEFAULT NULL,
  include_implied boolean DEFAULT false)
RETURNS text
LANGUAGE c VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'change_key_type_plan';

COMMENT ON FUNCTION fk_guard.change_key_type_plan(regclass, name, regtype, text, text, boolean) IS
'a SQL script that changes a key column''s type together with every column that references it, keeping every foreign key''s definition; with no cast, new keys come from new_key_expression (alias r; uuid: gen_random_uuid()) and references follow them row for row; on_unconvertible: fail, null or delete for references to no key';
