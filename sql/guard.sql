-- The migration guard (ddl_command_start): the story, and the statement
-- shapes it understands.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
CREATE SCHEMA story;
SET search_path = story, public;

CREATE TABLE users (id serial PRIMARY KEY, email text, legacy_uuid uuid UNIQUE);
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid);
INSERT INTO users (email, legacy_uuid) VALUES ('a@example.com', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
INSERT INTO sessions VALUES ('s1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ('s2', NULL);

-- What Sequelize v6 sends for changeColumn(... {type: INTEGER, references}).

ALTER TABLE "sessions"  ADD FOREIGN KEY ("userId") REFERENCES "users" ("id");
\echo :LAST_ERROR_SQLSTATE

-- ALTER COLUMN TYPE in the same statement runs first, whatever the order.
ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users,
  ALTER COLUMN "userId" TYPE integer USING NULL;
\d sessions
ALTER TABLE sessions DROP CONSTRAINT "sessions_userId_fkey";

-- An explicit cast exists: the hint says how to convert.
CREATE TABLE tokens (id int PRIMARY KEY, user_ref text);
ALTER TABLE tokens ADD CONSTRAINT tokens_user FOREIGN KEY (user_ref) REFERENCES users;

-- What the data holds: values that convert, values that do not.
INSERT INTO tokens VALUES (1, '1'), (2, NULL);
ALTER TABLE tokens ADD FOREIGN KEY (user_ref) REFERENCES users;
INSERT INTO tokens VALUES (3, 'abc');
ALTER TABLE tokens ADD FOREIGN KEY (user_ref) REFERENCES users;
-- Larger than pg_fk_guard.profile_row_limit: the data is not read.
SET pg_fk_guard.profile_row_limit = 1;
ANALYZE tokens;
ALTER TABLE tokens ADD FOREIGN KEY (user_ref) REFERENCES users;
RESET pg_fk_guard.profile_row_limit;
-- A later statement of the same query string changes the type: run it first.
ALTER TABLE sessions ALTER COLUMN "userId" TYPE uuid USING NULL;
ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users \; ALTER TABLE sessions ALTER COLUMN "userId" TYPE integer USING NULL;
DELETE FROM tokens;

-- Inline and table-level REFERENCES in CREATE TABLE, ADD COLUMN ... REFERENCES,
-- a self reference, a multi-column key, NOT VALID, ONLY, IF EXISTS.
CREATE TABLE t1 (u uuid REFERENCES users);
CREATE TABLE t2 (u uuid, FOREIGN KEY (u) REFERENCES users (id));
ALTER TABLE tokens ADD COLUMN owner uuid REFERENCES users;
CREATE TABLE tree (id int PRIMARY KEY, parent uuid REFERENCES tree);
CREATE TABLE pairs (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE pair_refs (a int, b text, FOREIGN KEY (a, b) REFERENCES pairs);
ALTER TABLE ONLY tokens ADD CONSTRAINT tokens_nv FOREIGN KEY (user_ref) REFERENCES users NOT VALID;
ALTER TABLE IF EXISTS no_such_table ADD FOREIGN KEY (x) REFERENCES users;

-- Partitions: a partition of a table with a bad key is refused too.
CREATE TABLE measurements (id int, user_ref uuid) PARTITION BY RANGE (id);
CREATE TABLE measurements_1 PARTITION OF measurements
  (FOREIGN KEY (user_ref) REFERENCES users) FOR VALUES FROM (0) TO (10);

-- Soft mismatches: WARNING (or NOTICE) by default, ERROR on request, or nothing.
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE orders (id int PRIMARY KEY, account_id integer REFERENCES accounts);
ALTER TABLE orders ADD COLUMN note_account bigint;
CREATE TABLE orders2 (id int PRIMARY KEY, account_id bigint REFERENCES accounts);
SET pg_fk_guard.soft_mismatches = error;
CREATE TABLE orders3 (id int PRIMARY KEY, account_id integer REFERENCES accounts);
SET pg_fk_guard.soft_mismatches = ignore;
CREATE TABLE orders3 (id int PRIMARY KEY, account_id integer REFERENCES accounts);
RESET pg_fk_guard.soft_mismatches;
CREATE TABLE small_refs (id int PRIMARY KEY, account_ref smallint);
CREATE TABLE wide (id int PRIMARY KEY);
CREATE TABLE wide_refs (w bigint REFERENCES wide);

-- ALTER COLUMN TYPE on a referenced key: every foreign key PostgreSQL would
-- rebuild is judged before the table is rewritten.
CREATE TABLE members (id integer PRIMARY KEY);
CREATE TABLE posts (id int PRIMARY KEY, member_id integer REFERENCES members);
CREATE TABLE likes (id int PRIMARY KEY, "memberId" integer REFERENCES members, liker int REFERENCES members);
ALTER TABLE members ALTER COLUMN id TYPE bigint;
ALTER TABLE members ALTER COLUMN id TYPE uuid USING NULL;
-- Converting the referencing columns too, first, is what the hint asks.
ALTER TABLE posts ALTER COLUMN member_id TYPE bigint;
-- On the referencing side: a retyped column whose key would break.
ALTER TABLE posts ALTER COLUMN member_id TYPE text;
-- Dropping the constraint in the same statement: nothing to rebuild.
ALTER TABLE posts DROP CONSTRAINT posts_member_id_fkey, ALTER COLUMN member_id TYPE text;

-- The end-of-statement check: a path the start trigger does not model (LIKE)
-- still meets the soft policy, once.
CREATE TABLE liked_copy (LIKE likes, FOREIGN KEY (liker) REFERENCES accounts);

-- mode = warn: the guard only warns; PostgreSQL refuses with its own words.
SET pg_fk_guard.mode = warn;
ALTER TABLE sessions ADD COLUMN other_user uuid REFERENCES users;
RESET pg_fk_guard.mode;

-- Names the guard cannot resolve: it stays silent and PostgreSQL speaks.
CREATE TABLE x1 (u uuid REFERENCES no_such_table);
CREATE TABLE x2 (u no_such_type REFERENCES users);
CREATE TABLE x3 (LIKE sessions, FOREIGN KEY ("userId") REFERENCES users);

-- Only superusers may turn the guard off.
CREATE ROLE fkg_migrator;
SET ROLE fkg_migrator;
SET pg_fk_guard.mode = off;
SET pg_fk_guard.soft_mismatches = ignore;
RESET ROLE;
DROP ROLE fkg_migrator;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA story CASCADE;
