-- The guard beyond types: a foreign key that duplicates another one
-- (pg_fk_guard.duplicate_keys), and the validating scan of ADD FOREIGN KEY
-- on a large table (pg_fk_guard.validation_notice_rows).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
CREATE SCHEMA hygiene;
SET search_path = hygiene, public;

CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE);
SHOW pg_fk_guard.duplicate_keys;
SHOW pg_fk_guard.validation_notice_rows;
SET pg_fk_guard.duplicate_keys = sometimes;
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" integer);
INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com');
INSERT INTO sessions VALUES ('s1', 1), ('s2', NULL);

-- The Sequelize story once the column is fixed: the migration's statement,
-- exactly as Sequelize sends it, run a second time adds "sessions_userId_fkey1".
ALTER TABLE "sessions"  ADD FOREIGN KEY ("userId") REFERENCES "users" ("id");
ALTER TABLE "sessions"  ADD FOREIGN KEY ("userId") REFERENCES "users" ("id");
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'sessions'::regclass AND contype = 'f' ORDER BY conname;

-- error: refused with 42710, nothing added.
SET pg_fk_guard.duplicate_keys = error;
ALTER TABLE "sessions"  ADD FOREIGN KEY ("userId") REFERENCES "users" ("id");
\echo :LAST_ERROR_SQLSTATE
-- Dropping the existing keys in the same statement replaces them: no duplicate.
ALTER TABLE sessions DROP CONSTRAINT "sessions_userId_fkey1", DROP CONSTRAINT "sessions_userId_fkey",
  ADD CONSTRAINT "sessions_userId_fkey" FOREIGN KEY ("userId") REFERENCES users ON DELETE CASCADE;
-- What differs is named.
ALTER TABLE sessions ADD CONSTRAINT sessions_user_deferred FOREIGN KEY ("userId") REFERENCES users (id)
  ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
-- ignore: added without a word.
SET pg_fk_guard.duplicate_keys = ignore;
ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users;
ALTER TABLE sessions DROP CONSTRAINT "sessions_userId_fkey1";
RESET pg_fk_guard.duplicate_keys;
-- warn, with differences: both ways to drop one.
ALTER TABLE sessions ADD CONSTRAINT sessions_user_deferred FOREIGN KEY ("userId") REFERENCES users (id)
  ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sessions DROP CONSTRAINT sessions_user_deferred;

-- Not duplicates: other referencing columns, other referenced columns.
CREATE TABLE orders (id int PRIMARY KEY, user_id int, seller_id int, email text, buyer_id int);
ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users;
ALTER TABLE orders ADD FOREIGN KEY (seller_id) REFERENCES users;
ALTER TABLE orders ADD FOREIGN KEY (email) REFERENCES users (email);
-- The same column numbers referencing another table: not a duplicate.
CREATE TABLE sellers (id int PRIMARY KEY);
ALTER TABLE orders ADD FOREIGN KEY (seller_id) REFERENCES sellers;
-- The existing key is NOT VALID: VALIDATE CONSTRAINT does what a second key would.
ALTER TABLE orders ADD CONSTRAINT orders_buyer FOREIGN KEY (buyer_id) REFERENCES users NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_buyer_again FOREIGN KEY (buyer_id) REFERENCES users (id);
-- fk_guard.ignored silences it (check 'duplicate', reported on the later key).
INSERT INTO fk_guard.ignored (table_name, check_name, reason) VALUES ('orders', 'duplicate', 'kept on purpose');
ALTER TABLE orders ADD CONSTRAINT orders_seller_again FOREIGN KEY (seller_id) REFERENCES users;
DELETE FROM fk_guard.ignored;

-- Multi-column keys: the same pairs in another order are a duplicate;
-- another pairing is not.
CREATE TABLE pairs (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE pair_refs (x int, y int, FOREIGN KEY (x, y) REFERENCES pairs (a, b));
ALTER TABLE pair_refs ADD FOREIGN KEY (y, x) REFERENCES pairs (b, a);
ALTER TABLE pair_refs ADD FOREIGN KEY (y, x) REFERENCES pairs (a, b);

-- CREATE TABLE with two identical keys: the second gets the name PostgreSQL gives it.
CREATE TABLE twice (u int REFERENCES users, FOREIGN KEY (u) REFERENCES users (id));
SELECT conname FROM pg_constraint WHERE conrelid = 'twice'::regclass AND contype = 'f' ORDER BY conname;
SET pg_fk_guard.duplicate_keys = error;
CREATE TABLE twice_refused (u int REFERENCES users, FOREIGN KEY (u) REFERENCES users (id));
\echo :LAST_ERROR_SQLSTATE
RESET pg_fk_guard.duplicate_keys;
-- Column attributes count as the key's definition.
CREATE TABLE twice_deferred (u int REFERENCES users DEFERRABLE, v int REFERENCES users INITIALLY DEFERRED,
  FOREIGN KEY (u) REFERENCES users);

-- A partitioned table's duplicate is reported once, on the table; a
-- partition's copy of its parent's key is not a key of its own.
CREATE TABLE parted_refs (id int, user_id int REFERENCES users) PARTITION BY RANGE (id);
CREATE TABLE parted_refs_1 PARTITION OF parted_refs FOR VALUES FROM (0) TO (100);
ALTER TABLE parted_refs ADD FOREIGN KEY (user_id) REFERENCES users;
ALTER TABLE parted_refs DROP CONSTRAINT parted_refs_user_id_fkey1;
ALTER TABLE parted_refs_1 ADD FOREIGN KEY (user_id) REFERENCES users;

-- pg_fk_guard.mode = off: the guard says nothing at all.
SET pg_fk_guard.mode = off;
ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users;
RESET pg_fk_guard.mode;

-- The validating scan. The setting lowered so that a small table counts as large.
SET pg_fk_guard.validation_notice_rows = 1000;
CREATE TABLE big (id int, user_id int, seller_id int, parent int, email text, code uuid);
INSERT INTO big SELECT g, 1, 2, NULL, NULL, NULL FROM generate_series(1, 5000) g;
ANALYZE big;
ALTER TABLE big ADD CONSTRAINT big_user FOREIGN KEY (user_id) REFERENCES users;
-- With its actions and MATCH written out again.
ALTER TABLE big ADD CONSTRAINT big_seller FOREIGN KEY (seller_id) REFERENCES users (id)
  MATCH FULL ON DELETE SET NULL (seller_id) DEFERRABLE;
-- NOT VALID: no scan, no notice; VALIDATE CONSTRAINT is not ADD FOREIGN KEY.
ALTER TABLE big ADD CONSTRAINT big_email FOREIGN KEY (email) REFERENCES users (email) NOT VALID;
ALTER TABLE big VALIDATE CONSTRAINT big_email;
-- ADD COLUMN ... REFERENCES: no scan without a DEFAULT; with one, the column's own lock.
ALTER TABLE big ADD COLUMN owner int REFERENCES users;
ALTER TABLE big ADD COLUMN creator int DEFAULT 1 REFERENCES users;
-- A self reference locks one table.
CREATE UNIQUE INDEX ON big (id);
ALTER TABLE big ADD FOREIGN KEY (parent) REFERENCES big (id);
-- Refused anyway: the refusal only.
ALTER TABLE big ADD FOREIGN KEY (code) REFERENCES users;
-- CREATE TABLE: a new table is empty.
CREATE TABLE big_copy (id int, user_id int REFERENCES users);
-- Small enough, or the notice turned off.
SET pg_fk_guard.validation_notice_rows = 5000;
ALTER TABLE big DROP CONSTRAINT big_user, ADD CONSTRAINT big_user FOREIGN KEY (user_id) REFERENCES users;
SET pg_fk_guard.validation_notice_rows = 0;
ALTER TABLE big DROP CONSTRAINT big_user, ADD CONSTRAINT big_user FOREIGN KEY (user_id) REFERENCES users;
SET pg_fk_guard.validation_notice_rows = 1000;
-- A partitioned table: PostgreSQL 17 and older refuse NOT VALID there.
CREATE TABLE big_parted (id int, user_id int) PARTITION BY RANGE (id);
CREATE TABLE big_parted_1 PARTITION OF big_parted FOR VALUES FROM (0) TO (3000);
CREATE TABLE big_parted_2 PARTITION OF big_parted FOR VALUES FROM (3000) TO (6000);
INSERT INTO big_parted SELECT g, 1 FROM generate_series(1, 5000) g;
ANALYZE big_parted;
ALTER TABLE big_parted ADD FOREIGN KEY (user_id) REFERENCES users;
RESET pg_fk_guard.validation_notice_rows;
-- The default keeps tables like these silent.
ALTER TABLE big DROP CONSTRAINT big_user, ADD CONSTRAINT big_user FOREIGN KEY (user_id) REFERENCES users;

DROP SCHEMA hygiene CASCADE;
