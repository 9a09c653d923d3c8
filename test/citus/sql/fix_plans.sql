-- Fix plans that run on Citus: fix_plan() never changes a distribution
-- column's type in place, never updates one, and never calls the VOLATILE
-- fk_guard.converts() in an UPDATE or DELETE of a Citus table (Citus:
-- 0A000); where a distribution column's type must change, or a mapping goes
-- through a temporary function the other nodes lack, the plan distributes
-- the table again and says so in its header. Each plan is run here as it
-- stands, in one transaction, and the data and keys are checked after.
SET client_min_messages = warning;
CREATE SCHEMA fixes;
SET search_path = fixes;
CREATE TABLE users (id int PRIMARY KEY, legacy uuid UNIQUE);
SELECT create_reference_table('fixes.users');
INSERT INTO users SELECT g, md5(g::text)::uuid FROM generate_series(1, 5) g;
-- The seed story: a uuid column that should reference users.id.
CREATE TABLE sessions (id int, "userId" uuid, code text);
SELECT create_distributed_table('fixes.sessions', 'id', shard_count => 4);
INSERT INTO sessions SELECT g, md5((g % 5 + 1)::text)::uuid, (g % 7)::text FROM generate_series(1, 20) g;
ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users(id);
-- Map each uuid to its user through users.legacy: the table is distributed again.
SELECT fk_guard.fix_plan('fixes.sessions', 'userId', 'fixes.users', 'id', on_unconvertible => 'map') AS plan \gset
SELECT regexp_replace(line, 'colocate_with => ''[^'']*''', 'colocate_with => ...') AS line
  FROM regexp_split_to_table(:'plan', E'\n') line WHERE line LIKE '-- On Citus%' OR line LIKE '-- Statements%';
SET client_min_messages = error;
BEGIN;
SELECT :'plan' AS script \gset
:script
COMMIT;
SET client_min_messages = warning;
SELECT count(*) AS sessions, count("userId") AS with_user, pg_typeof(max("userId")) AS type,
       bool_and(u.legacy = md5((s.id % 5 + 1)::text)::uuid) AS mapped_right
  FROM sessions s LEFT JOIN users u ON u.id = s."userId";
SELECT partmethod, shardcount FROM pg_dist_partition p, LATERAL (SELECT count(*) AS shardcount FROM pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid) c
 WHERE p.logicalrelid = 'fixes.sessions'::regclass;
-- text codes to integer keys, the ones without a user set to NULL: no
-- VOLATILE function in the UPDATE, the rows found by a query first.
SELECT fk_guard.fix_plan('fixes.sessions', 'code', 'fixes.users', 'id', on_unconvertible => 'null') AS plan \gset
SELECT regexp_replace(line, 'colocate_with => ''[^'']*''', 'colocate_with => ...') AS line
  FROM regexp_split_to_table(:'plan', E'\n') line WHERE line LIKE '-- On Citus%' OR line LIKE '-- Statements%';
SELECT count(*) AS modifications_calling_converts FROM regexp_split_to_table(:'plan', E'\n') line
 WHERE line NOT LIKE '--%' AND line ~ '(UPDATE|DELETE) ' AND line ~ 'converts';
SET client_min_messages = error;
BEGIN;
SELECT :'plan' AS script \gset
:script
COMMIT;
SET client_min_messages = warning;
SELECT count(*) AS sessions, count(code) AS with_code, pg_typeof(max(code)) AS type,
       count(*) FILTER (WHERE code IS NOT NULL AND code <> s.id % 7) AS wrong_codes
  FROM sessions s;
-- With 'delete' on a reference table.
CREATE TABLE audit (id int PRIMARY KEY, user_code text);
SELECT create_reference_table('fixes.audit');
INSERT INTO audit SELECT g, CASE WHEN g % 4 = 0 THEN 'x' || g ELSE (g % 9)::text END FROM generate_series(1, 12) g;
SELECT fk_guard.fix_plan('fixes.audit', 'user_code', 'fixes.users', 'id', on_unconvertible => 'delete') AS plan \gset
SELECT count(*) AS modifications_calling_converts FROM regexp_split_to_table(:'plan', E'\n') line
 WHERE line NOT LIKE '--%' AND line ~ '(UPDATE|DELETE) ' AND line ~ 'converts';
SET client_min_messages = error;
BEGIN;
SELECT :'plan' AS script \gset
:script
COMMIT;
SET client_min_messages = warning;
SELECT string_agg(id || ':' || user_code, ' ' ORDER BY id) AS kept_rows, pg_typeof(max(user_code)) AS type FROM audit;
-- A distribution column of another type than the distributed key it
-- references: distributed again with the key's type, colocated with it.
CREATE TABLE accounts (id bigint PRIMARY KEY);
SELECT create_distributed_table('fixes.accounts', 'id', shard_count => 4);
INSERT INTO accounts SELECT g FROM generate_series(1, 10) g;
CREATE TABLE orders (account_id int, id int, user_id int REFERENCES users(id));
SELECT create_distributed_table('fixes.orders', 'account_id', shard_count => 4, colocate_with => 'none');
INSERT INTO orders SELECT g % 10 + 1, g, g % 5 + 1 FROM generate_series(1, 30) g;
SELECT fk_guard.fix_plan('fixes.orders', 'account_id', 'fixes.accounts', 'id') AS plan \gset
SELECT regexp_replace(line, 'colocate_with => ''[^'']*''', 'colocate_with => ...') AS line
  FROM regexp_split_to_table(:'plan', E'\n') line WHERE line LIKE '-- On Citus%' OR line LIKE '-- Statements%';
SELECT string_agg(line, E'\n') AS undistributed_converted_distributed FROM regexp_split_to_table(:'plan', E'\n') line
 WHERE line ~ '^(SELECT (undistribute|create_distributed)|ALTER TABLE .* TYPE)';
SET client_min_messages = error;
BEGIN;
SELECT :'plan' AS script \gset
:script
COMMIT;
SET client_min_messages = warning;
SELECT count(*) AS orders, count(DISTINCT account_id) AS accounts, pg_typeof(max(account_id)) AS type FROM orders;
SELECT (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'fixes.orders'::regclass) =
       (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'fixes.accounts'::regclass) AS colocated;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'fixes.orders'::regclass AND contype = 'f' ORDER BY 1;
-- The keys hold on every shard.
SELECT count(*) AS shard_keys FROM run_command_on_shards('fixes.orders',
  $$SELECT count(*) FROM pg_constraint WHERE conrelid = '%s'::regclass AND contype = 'f'$$) WHERE result = '2';
-- Distribution columns of one type but two collations cannot be colocated
-- either (on PostgreSQL 15 too, where ADD FOREIGN KEY itself never compares
-- collations): refused first, and the plan converts the column with the
-- key's collation.
CREATE TABLE codes (code text COLLATE "C" PRIMARY KEY);
SELECT create_distributed_table('fixes.codes', 'code', shard_count => 4);
INSERT INTO codes VALUES ('a'), ('B'), ('c');
CREATE TABLE code_uses (code text, n int);
SELECT create_distributed_table('fixes.code_uses', 'code', shard_count => 4, colocate_with => 'none');
INSERT INTO code_uses VALUES ('a', 1), ('B', 2), ('c', 3), ('a', 4);
ALTER TABLE code_uses ADD FOREIGN KEY (code) REFERENCES codes(code);
SELECT fk_guard.fix_plan('fixes.code_uses', 'code', 'fixes.codes', 'code') AS plan \gset
SELECT line FROM regexp_split_to_table(:'plan', E'\n') line WHERE line ~ '^(SELECT (undistribute|create_distributed)|ALTER TABLE .* TYPE)';
SET client_min_messages = error;
BEGIN;
SELECT :'plan' AS script \gset
:script
COMMIT;
SET client_min_messages = warning;
SELECT count(*) AS code_uses, count(*) FILTER (WHERE c.code IS NOT NULL) AS with_key
  FROM code_uses u LEFT JOIN codes c USING (code);
SELECT collname AS collation, (SELECT count(*) FROM pg_constraint WHERE conrelid = 'fixes.code_uses'::regclass AND contype = 'f') AS keys
  FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
 WHERE attrelid = 'fixes.code_uses'::regclass AND attname = 'code';
RESET search_path;
DROP SCHEMA fixes CASCADE;
