-- PostgreSQL 18 only (run by test/matrix.sh against its 18 server): the
-- foreign keys 18 judges differently from 15, through the guard and the
-- diagnostics.
--  * temporal foreign keys (PERIOD, WITHOUT OVERLAPS): never judged, the
--    guard stays silent and PostgreSQL decides;
--  * 18 refuses key columns that are not both collatable, and different
--    collations when either is nondeterministic: the guard refuses first,
--    with PostgreSQL's own SQLSTATE and message, and the engine agrees.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
CREATE EXTENSION IF NOT EXISTS btree_gist;
RESET client_min_messages;
CREATE SCHEMA t18;
SET search_path = t18, public;

-- Temporal keys: accepted by PostgreSQL, nothing from the guard.
CREATE TABLE rooms (id integer, valid_at daterange, PRIMARY KEY (id, valid_at WITHOUT OVERLAPS));
CREATE TABLE bookings (room_id integer, valid_at daterange,
  FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at));
CREATE TABLE bookings2 (room_id integer, valid_at daterange);
ALTER TABLE bookings2 ADD FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at);
ALTER TABLE bookings2 ADD COLUMN note text;
-- LIKE makes the guard check at the end of the statement: still silent.
CREATE TABLE bookings3 (LIKE bookings2, FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at));
-- A temporal key PostgreSQL refuses for its types: PostgreSQL's own error.
CREATE TABLE bookings4 (room_id bigint, valid_at daterange,
  FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at));
-- A plain foreign key onto a WITHOUT OVERLAPS key: PostgreSQL's own error.
CREATE TABLE plain1 (room_id integer, valid_at daterange, FOREIGN KEY (room_id, valid_at) REFERENCES rooms);
CREATE TABLE plain2 (room_id integer, valid_at daterange,
  FOREIGN KEY (room_id, valid_at) REFERENCES rooms (id, valid_at));
SELECT count(*) AS temporal_fks FROM pg_constraint WHERE contype = 'f' AND conperiod
  AND connamespace = 't18'::regnamespace;
-- The diagnostics leave temporal keys alone.
SELECT source, constraint_name, kind FROM fk_guard.diagnose_fk_mismatches()
WHERE referencing_table::text LIKE 'bookings%';
SELECT fk_guard.assert_no_mismatches('notice');
-- explain() of a temporal key's column: no declared key to judge (it failed
-- with "cache lookup failed for operator class 0" before).
SELECT split_part(fk_guard.explain('bookings', 'room_id'), E'\n', 1) AS explain_first_line;

-- "char" -> text: 15 to 17 accept it (index_unusable), 18 refuses it.
CREATE TABLE words (w text PRIMARY KEY);
SELECT kind, severity, detail FROM fk_guard.classify_key_pair('"char"', 'text');
CREATE TABLE letters (c "char" REFERENCES words);
CREATE TABLE letters (c "char");
ALTER TABLE letters ADD FOREIGN KEY (c) REFERENCES words;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE letters ADD COLUMN c2 "char" REFERENCES words;
SET pg_fk_guard.mode = off;
CREATE TABLE letters2 (c "char" REFERENCES words);
\echo :LAST_ERROR_SQLSTATE
RESET pg_fk_guard.mode;

-- Nondeterministic collations: same collation accepted, different refused.
CREATE COLLATION t18.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE tags (name text COLLATE t18.ci PRIMARY KEY);
CREATE TABLE tagged_ok (tag text COLLATE t18.ci REFERENCES tags);
SELECT kind, severity, detail FROM fk_guard.classify_key_pair('text', 'text', NULL, 't18.ci');
CREATE TABLE tagged (tag text REFERENCES tags);
CREATE TABLE tagged (tag text);
INSERT INTO tagged VALUES ('a'), ('B'), (NULL);
ALTER TABLE tagged ADD FOREIGN KEY (tag) REFERENCES tags;
\echo :LAST_ERROR_SQLSTATE
SET pg_fk_guard.mode = off;
ALTER TABLE tagged ADD FOREIGN KEY (tag) REFERENCES tags;
\echo :LAST_ERROR_SQLSTATE
RESET pg_fk_guard.mode;
-- Two deterministic collations still only get a notice.
CREATE TABLE names (name text COLLATE "C" PRIMARY KEY);
CREATE TABLE named (name text REFERENCES names);
-- Retyping the referenced column to a nondeterministic collation: the
-- rebuilt foreign key would be refused, so the guard refuses the ALTER.
ALTER TABLE names ALTER COLUMN name TYPE text COLLATE t18.ci;
SET pg_fk_guard.mode = off;
ALTER TABLE names ALTER COLUMN name TYPE text COLLATE t18.ci;
RESET pg_fk_guard.mode;

-- NOT ENFORCED foreign keys (18) check nothing: no duplicate warning and no
-- validating scan; an enforced one beside a NOT ENFORCED one is no duplicate.
CREATE TABLE owners (id int PRIMARY KEY);
CREATE TABLE pets (id int, owner int);
INSERT INTO pets SELECT g, NULL FROM generate_series(1, 2000) g;
ANALYZE pets;
SET pg_fk_guard.validation_notice_rows = 1000;
ALTER TABLE pets ADD CONSTRAINT pets_owner_doc FOREIGN KEY (owner) REFERENCES owners NOT ENFORCED;
ALTER TABLE pets ADD CONSTRAINT pets_owner_doc2 FOREIGN KEY (owner) REFERENCES owners NOT ENFORCED;
ALTER TABLE pets ADD CONSTRAINT pets_owner FOREIGN KEY (owner) REFERENCES owners;
ALTER TABLE pets ADD COLUMN keeper int DEFAULT NULL REFERENCES owners NOT ENFORCED;
RESET pg_fk_guard.validation_notice_rows;
-- check_foreign_keys() reports nothing about the NOT ENFORCED keys (no
-- triggers: no duplicate work, no index needed, nothing to validate); the
-- enforced pets_owner has no index on pets.
SELECT check_name, constraint_name FROM fk_guard.check_foreign_keys(schemas => ARRAY['t18']::name[])
  WHERE referencing_table = 't18.pets'::regclass ORDER BY 1, 2;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA t18 CASCADE;
