-- The guard's policies at their edges (issue 19: deliberate bugs that no
-- test noticed): soft_mismatches = error refuses only warning-severity kinds;
-- a table of exactly pg_fk_guard.profile_row_limit rows is still profiled;
-- the end-of-statement check does not judge again what the start trigger
-- judged.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
SET client_min_messages = notice;
CREATE SCHEMA gp;
SET search_path = gp;
CREATE TABLE int_keys (id integer PRIMARY KEY);
CREATE TABLE big_keys (id bigint PRIMARY KEY);
CREATE TABLE uuid_keys (id uuid PRIMARY KEY);

-- Under error, a width pair (bigint referencing integer) keeps its NOTICE and
-- the table is created; a narrower pair (integer referencing bigint) is refused.
SET pg_fk_guard.soft_mismatches = error;
CREATE TABLE wide_refs (id int PRIMARY KEY, k bigint REFERENCES int_keys);
SELECT to_regclass('gp.wide_refs') IS NOT NULL AS wide_refs_created;
CREATE TABLE narrow_refs (id int PRIMARY KEY, k integer REFERENCES big_keys);
SELECT to_regclass('gp.narrow_refs') IS NOT NULL AS narrow_refs_created;
RESET pg_fk_guard.soft_mismatches;

-- Exactly profile_row_limit rows (3, after ANALYZE): the refusal still
-- describes the data; one row more and it does not.
CREATE TABLE tokens (id int PRIMARY KEY, ref text);
INSERT INTO tokens VALUES (1, 'a'), (2, NULL), (3, 'b');
ANALYZE tokens;
SET pg_fk_guard.profile_row_limit = 3;
ALTER TABLE tokens ADD FOREIGN KEY (ref) REFERENCES uuid_keys;
SET pg_fk_guard.profile_row_limit = 2;
ALTER TABLE tokens ADD FOREIGN KEY (ref) REFERENCES uuid_keys;
RESET pg_fk_guard.profile_row_limit;

-- A partition whose column options add a key, and a table-level key: each
-- key is judged once (exactly one WARNING, for id -> big_keys).
CREATE TABLE parts (id int, u uuid) PARTITION BY RANGE (id);
CREATE TABLE parts_1 PARTITION OF parts
  (u WITH OPTIONS REFERENCES uuid_keys, FOREIGN KEY (id) REFERENCES big_keys) FOR VALUES FROM (0) TO (10);

-- The settings' defaults and who may change them.
SELECT name, boot_val, context FROM pg_settings WHERE name LIKE 'pg_fk_guard.%' ORDER BY name;

-- The referenced table larger than the limit, the referencing one not: the
-- data is read, the keys are not (and the message says so).
CREATE TABLE few (id int PRIMARY KEY, ref text);
INSERT INTO few VALUES (1, '00000000-0000-0000-0000-000000000001');
INSERT INTO uuid_keys SELECT gen_random_uuid() FROM generate_series(1, 3);
ANALYZE few, uuid_keys;
SET pg_fk_guard.profile_row_limit = 2;
ALTER TABLE few ADD FOREIGN KEY (ref) REFERENCES uuid_keys;
RESET pg_fk_guard.profile_row_limit;

-- Samples are capped at the number asked for, orphans too.
CREATE TABLE orphans (id int PRIMARY KEY, ref int);
INSERT INTO orphans VALUES (1, 101), (2, 102), (3, 103);
SELECT rows_total, rows_orphaned, sample_orphaned
FROM fk_guard.profile_column('orphans', 'ref', 'integer', 'int_keys', samples => 2);

-- bit varying(3): three bits fit, four do not.
CREATE TABLE vb3 (code varbit(3) PRIMARY KEY);
INSERT INTO vb3 VALUES (B'101');
CREATE TABLE vflags (id int PRIMARY KEY, bits varbit);
INSERT INTO vflags VALUES (1, B'101'), (2, B'1010'), (3, B'1');
SELECT rows_total, rows_convertible, rows_unconvertible, rows_orphaned
FROM fk_guard.profile_column('vflags', 'bits', 'varbit', 'vb3', 'code');

-- Statement shapes: bigserial is bigint (width against an integer key).
CREATE TABLE serial_refs (id int PRIMARY KEY, k bigserial REFERENCES int_keys);
-- A self-reference added in the statement that retypes the key: judged
-- against the key's new type.
CREATE TABLE tree (id int PRIMARY KEY, parent int);
ALTER TABLE tree ALTER COLUMN id TYPE bigint, ADD FOREIGN KEY (parent) REFERENCES tree;
-- CREATE TABLE IF NOT EXISTS of a table that exists: PostgreSQL skips it,
-- and so does the guard (its key would be refused).
CREATE TABLE IF NOT EXISTS int_keys (id int PRIMARY KEY, ref text REFERENCES uuid_keys);
-- ALTER COLUMN TYPE on a table the user does not own: PostgreSQL's own
-- error, not the guard's.
CREATE TABLE owned (id int PRIMARY KEY, k int REFERENCES int_keys);
CREATE ROLE fkg_gp_stranger;
GRANT USAGE ON SCHEMA gp TO fkg_gp_stranger;
SET ROLE fkg_gp_stranger;
ALTER TABLE owned ALTER COLUMN k TYPE uuid USING NULL;
-- The same without USING (a conversion no cast can do): still PostgreSQL's.
ALTER TABLE owned ALTER COLUMN k TYPE uuid;
RESET ROLE;
DROP TABLE owned;
-- Retyping a key that a partitioned table references: the partition's
-- cloned key is not listed beside its parent's.
CREATE TABLE pref (id int, k int REFERENCES int_keys) PARTITION BY RANGE (id);
CREATE TABLE pref_1 PARTITION OF pref FOR VALUES FROM (0) TO (10);
ALTER TABLE int_keys ALTER COLUMN id TYPE bigint;
-- Nor in the script of a refusal: the parent's key is dropped, its column
-- converted and its key added again, which covers the partition.
CREATE TABLE part_keys (id int PRIMARY KEY);
CREATE TABLE part_refs (id int, k int REFERENCES part_keys) PARTITION BY RANGE (id);
CREATE TABLE part_refs_1 PARTITION OF part_refs FOR VALUES FROM (0) TO (10);
ALTER TABLE part_keys ALTER COLUMN id TYPE text;
-- A column with two foreign keys, converted where no cast goes: the refusal
-- names the first of them by name (a_fk), not the last.
CREATE TABLE other_keys (id int PRIMARY KEY);
CREATE TABLE two_keys (k int CONSTRAINT a_fk REFERENCES part_keys CONSTRAINT b_fk REFERENCES other_keys);
ALTER TABLE two_keys ALTER COLUMN k TYPE uuid;
-- A key column whose name holds a double quote: its keys are read for the
-- orphan count, and the hint's fix_plan() call names the column as stored.
CREATE TABLE quoted_keys ("k""ey" int PRIMARY KEY);
INSERT INTO quoted_keys VALUES (1);
CREATE TABLE quoted_refs (r text);
INSERT INTO quoted_refs VALUES ('1'), ('2');
ALTER TABLE quoted_refs ADD FOREIGN KEY (r) REFERENCES quoted_keys;

-- Implied keys are looked for in user schemas only: pg_depend.classid
-- ("class" + "id") does not imply a reference to a user table "classes".
CREATE TABLE classes (id int PRIMARY KEY);
SELECT count(*) AS system_rows FROM fk_guard.diagnose_fk_mismatches()
WHERE referencing_table::regclass::oid < 16384;

-- Types that differ only in how they are written (timestamp is
-- timestamp(6)): no message, and no row in the diagnosis.
CREATE TABLE ts_keys (t timestamp(6) PRIMARY KEY);
CREATE TABLE ts_refs (t timestamp REFERENCES ts_keys);
SELECT count(*) AS ts_rows FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table = 'gp.ts_refs'::regclass;

-- integer to bit(3): the cast takes the length itself, so the fix casts to
-- bit(3), not to bit (which is bit(1)).
CREATE TABLE b3 (code bit(3) PRIMARY KEY);
CREATE TABLE bit_refs (id int PRIMARY KEY, n int);
INSERT INTO bit_refs VALUES (1, 5);
ALTER TABLE bit_refs ADD FOREIGN KEY (n) REFERENCES b3;

-- A new_key_expression that ends a statement is refused, even when what
-- follows is empty.
SELECT fk_guard.change_key_type_plan('b3', 'code', 'uuid', new_key_expression => 'gen_random_uuid();') IS NOT NULL AS planned;
-- Nor one with a semicolon anywhere, even inside a string literal.
SELECT fk_guard.change_key_type_plan('b3', 'code', 'uuid', new_key_expression => $$md5(r.code::text || ';')::uuid$$) IS NOT NULL AS planned;

-- check_foreign_keys(schemas => ...) reports the schemas asked for only.
SELECT count(*) AS gp_findings_outside_filter FROM fk_guard.check_foreign_keys(schemas => ARRAY['public']::name[])
WHERE check_name <> 'type_mismatch' AND referencing_table::oid IN (SELECT oid FROM pg_class WHERE relnamespace = 'gp'::regnamespace);
SELECT count(*) > 0 AS gp_findings FROM fk_guard.check_foreign_keys(schemas => ARRAY['gp']::name[])
WHERE check_name <> 'type_mismatch';

-- classify_key_pair() refuses a shell type (no column can have one).
CREATE TYPE shell_only;
SELECT kind FROM fk_guard.classify_key_pair('gp.shell_only', 'integer');

-- PostgreSQL's rule asks the key's operator family for two equality
-- operators: (key type, referencing type) and (referencing type, referencing
-- type). A family made by hand with only the first (integer = bigint, no
-- bigint = bigint): PostgreSQL refuses the key, and the guard says so first.
CREATE OPERATOR FAMILY half_int_ops USING btree;
CREATE OPERATOR CLASS half_int4_ops FOR TYPE integer USING btree FAMILY half_int_ops AS
  OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 btint4cmp(integer, integer);
ALTER OPERATOR FAMILY half_int_ops USING btree ADD
  OPERATOR 1 < (integer, bigint), OPERATOR 2 <= (integer, bigint), OPERATOR 3 = (integer, bigint),
  OPERATOR 4 >= (integer, bigint), OPERATOR 5 > (integer, bigint), FUNCTION 1 btint48cmp(integer, bigint);
CREATE TABLE half_keys (id integer NOT NULL);
CREATE UNIQUE INDEX half_keys_id ON half_keys (id half_int4_ops);
CREATE TABLE half_refs (k bigint REFERENCES half_keys (id));
SELECT to_regclass('gp.half_refs') IS NOT NULL AS half_refs_created;

-- Keys the caller may not read (REFERENCES without SELECT): the refusal
-- still describes the data, without the orphan count, and says why.
CREATE TABLE secret_keys (id int PRIMARY KEY);
CREATE ROLE fkg_gp_keyless;
GRANT USAGE, CREATE ON SCHEMA gp TO fkg_gp_keyless;
GRANT REFERENCES ON secret_keys TO fkg_gp_keyless;
SET ROLE fkg_gp_keyless;
CREATE TABLE keyless_refs (r text);
INSERT INTO keyless_refs VALUES ('1'), ('x');
ALTER TABLE keyless_refs ADD FOREIGN KEY (r) REFERENCES secret_keys;
RESET ROLE;

-- Every value converts and none matches a key: said as such.
CREATE TABLE orphan_refs (r text);
INSERT INTO orphan_refs VALUES ('5'), ('6');
ALTER TABLE orphan_refs ADD FOREIGN KEY (r) REFERENCES part_keys;

-- Without Citus, an application_name that Citus's own connections use does
-- not make a statement look like Citus's copy: the guard still refuses.
SET application_name = 'citus_internal gpid=10000000001';
CREATE TABLE posing_refs (k uuid REFERENCES int_keys);
RESET application_name;

-- A superuser who turns the guard off leaves a LOG line that names the role
-- (shown here by client_min_messages = log).
CREATE ROLE fkg_gp_admin SUPERUSER;
SET ROLE fkg_gp_admin;
SET client_min_messages = log;
SET pg_fk_guard.mode = off;
SET pg_fk_guard.mode = warn;
RESET client_min_messages;
RESET pg_fk_guard.mode;
RESET ROLE;
DROP ROLE fkg_gp_admin;

RESET search_path;
DROP SCHEMA gp CASCADE;
DROP ROLE fkg_gp_stranger, fkg_gp_keyless;
