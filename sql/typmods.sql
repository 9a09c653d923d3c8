-- converts() validates target_typmod: -1 (none) or a modifier the type's own
-- syntax gives (numeric(10,2) is 655366, varchar(36) is 40).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
\set VERBOSITY default
SELECT fk_guard.converts('1'::text, 'numeric', -5);
SELECT fk_guard.converts('1'::text, 'varchar', 0);
SELECT fk_guard.converts('1'::text, 'varchar', 3);
SELECT fk_guard.converts('1'::text, 'numeric', 5);
SELECT fk_guard.converts('1'::text, 'integer', 7);
SELECT fk_guard.converts('1'::text, 'timestamp', 9);
-- Valid modifiers, as the columns carry them.
SELECT fk_guard.converts('12345.678'::text, 'numeric', 655366) AS fits_numeric_10_2,
       fk_guard.converts('123456789012.5'::text, 'numeric', 655366) AS overflows_numeric_10_2,
       fk_guard.converts('abc'::text, 'varchar', 40) AS fits_varchar_36,
       fk_guard.converts('2024-01-01 10:00:00.123'::text, 'timestamp', 0) AS timestamp_0,
       fk_guard.converts('1'::text, 'numeric', -1) AS no_modifier;

-- A key whose type limits a length (character varying(3)): a longer value
-- does not convert, as ALTER COLUMN ... TYPE without USING (assignment)
-- refuses it. An explicit cast would cut 12345 to '123', here another key:
-- the repair must not repoint the row.
CREATE SCHEMA trunc;
SET search_path = trunc, public;
CREATE TABLE countries (code varchar(3) PRIMARY KEY);
INSERT INTO countries VALUES ('1'), ('2'), ('123');
CREATE TABLE orders (id int PRIMARY KEY, country_id bigint);
INSERT INTO orders VALUES (1, 1), (2, 12345), (3, NULL);
-- 12345 cannot convert, and the sample is the value, not '123'.
SELECT * FROM fk_guard.profile_column('orders', 'country_id', 'character varying', 'countries', 'code');
SELECT fk_guard.converts(12345::bigint, 'varchar', 7) AS too_long, fk_guard.converts(123::bigint, 'varchar', 7) AS fits;
-- The guard's refusal counts it as one that cannot convert, with the value.
ALTER TABLE orders ADD FOREIGN KEY (country_id) REFERENCES countries;
-- 'null': the row's value becomes NULL; it does not point at '123'.
BEGIN;
SELECT fk_guard.fix_plan('orders', 'country_id', 'countries', 'code', on_unconvertible => 'null') \gexec
SELECT id, country_id FROM orders ORDER BY id;
ROLLBACK;
-- 'fail': the plan stops before anything changes.
BEGIN;
SELECT fk_guard.fix_plan('orders', 'country_id', 'countries', 'code', on_unconvertible => 'fail') \gexec
ROLLBACK;
SELECT id, country_id, pg_typeof(country_id) FROM orders ORDER BY id;
-- The plan's conversion itself refuses the value instead of cutting it.
ALTER TABLE orders ALTER COLUMN country_id TYPE character varying(3) USING country_id::character varying;

-- Text onto character varying(3) and character(3): longer values do not
-- convert, unless what is beyond the length is spaces (cut, as PostgreSQL
-- does); character(5) to character varying(3) drops the padding first.
CREATE TABLE labels (id int PRIMARY KEY, code text, fixed char(5));
INSERT INTO labels VALUES (1, 'abcdef', 'ab'), (2, 'abc', 'abcd'), (3, 'abc   ', 'abc');
SELECT * FROM fk_guard.profile_column('labels', 'code', 'varchar', 'countries', 'code');
INSERT INTO countries VALUES ('abc'), ('ab');
SELECT * FROM fk_guard.profile_column('labels', 'code', 'varchar', 'countries', 'code');
SELECT * FROM fk_guard.profile_column('labels', 'fixed', 'varchar', 'countries', 'code');
CREATE TABLE fixed3 (code char(3) PRIMARY KEY);
INSERT INTO fixed3 VALUES ('ab'), ('abc');
CREATE TABLE tags (id int PRIMARY KEY, code text);
INSERT INTO tags VALUES (1, 'ab '), (2, 'abcd'), (3, 'abc ');
SELECT * FROM fk_guard.profile_column('tags', 'code', 'bpchar', 'fixed3', 'code');
SELECT fk_guard.fix_plan('tags', 'code', 'fixed3', 'code', on_unconvertible => 'delete');
BEGIN;
SELECT fk_guard.fix_plan('tags', 'code', 'fixed3', 'code', on_unconvertible => 'delete') \gexec
SELECT id, code, pg_typeof(code) FROM tags ORDER BY id;
ROLLBACK;

-- bit(n) and bit varying(n) the same way (an explicit cast pads or cuts bit
-- strings); integer to bit(n), a cast that takes the length itself, as before.
CREATE TABLE bit3 (code bit(3) PRIMARY KEY);
INSERT INTO bit3 VALUES (B'101'), (B'010');
CREATE TABLE flags (id int PRIMARY KEY, bits varbit, digits text, n int);
INSERT INTO flags VALUES (1, B'101', '101', 5), (2, B'10101', '10101', 21), (3, B'1', '1', 2);
SELECT * FROM fk_guard.profile_column('flags', 'bits', 'bit', 'bit3', 'code');
SELECT * FROM fk_guard.profile_column('flags', 'digits', 'bit', 'bit3', 'code');
SELECT conversion FROM fk_guard.profile_column('flags', 'n', 'bit', 'bit3', 'code');
SELECT fk_guard.converts(B'10101'::varbit, 'bit', 3) AS longer, fk_guard.converts(B'1'::varbit, 'bit', 3) AS shorter,
       fk_guard.converts(B'1'::varbit, 'varbit', 3) AS varbit_shorter, fk_guard.converts(B'1010'::varbit, 'varbit', 3) AS varbit_longer;
ALTER TABLE flags ADD FOREIGN KEY (digits) REFERENCES bit3;
-- The same type with another length is no clean pair: the guard judges it
-- (the key column's varchar(3) holds codes varchar(2) cannot).
CREATE TABLE short_codes (code varchar(2) REFERENCES countries);
RESET search_path;
DROP SCHEMA trunc CASCADE;
