-- NULL arguments to the public functions are an error that names the
-- argument, never an empty result or a silent pass; where NULL has a
-- documented meaning (a default), it keeps it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
RESET client_min_messages;
SET pg_fk_guard.soft_mismatches = ignore;
\set VERBOSITY default
CREATE TABLE na_users (id bigint PRIMARY KEY);
CREATE TABLE na_orders (user_id integer REFERENCES na_users);
INSERT INTO na_users VALUES (1);
INSERT INTO na_orders VALUES (1);

-- A CI gate: assert_no_mismatches(NULL) must not pass.
SELECT fk_guard.assert_no_mismatches(NULL);
SELECT fk_guard.assert_no_mismatches_in(NULL, ARRAY['public']::name[]);
SELECT fk_guard.assert_no_mismatches_in('warning', NULL);
-- diagnose_fk_mismatches(NULL, ...) must not return "no mismatches".
SELECT * FROM fk_guard.diagnose_fk_mismatches(NULL);
SELECT * FROM fk_guard.diagnose_fk_mismatches(true, NULL);
SELECT * FROM fk_guard.diagnose_fk_mismatches_in(true, false, NULL);
-- profile_column(): tbl, col, target and samples; referenced_table and
-- referenced_column may be NULL (no orphan check; the primary key), but not
-- referenced_column alone.
SELECT * FROM fk_guard.profile_column(NULL, 'user_id', 'bigint');
SELECT * FROM fk_guard.profile_column('na_orders', NULL, 'bigint');
SELECT * FROM fk_guard.profile_column('na_orders', 'user_id', NULL);
SELECT * FROM fk_guard.profile_column('na_orders', 'user_id', 'bigint', samples => NULL);
SELECT * FROM fk_guard.profile_column('na_orders', 'user_id', 'bigint', NULL, 'id');
SELECT rows_total, rows_orphaned FROM fk_guard.profile_column('na_orders', 'user_id', 'bigint', 'na_users', NULL);
-- fix_plan(): referenced_column may be NULL (the primary key).
SELECT fk_guard.fix_plan(NULL, 'user_id', 'na_users');
SELECT fk_guard.fix_plan('na_orders', NULL, 'na_users');
SELECT fk_guard.fix_plan('na_orders', 'user_id', NULL);
SELECT fk_guard.fix_plan('na_orders', 'user_id', 'na_users', on_unconvertible => NULL);
SELECT fk_guard.fix_plan('na_orders', 'user_id', 'na_users', NULL) IS NOT NULL AS planned_with_primary_key;
-- converts(): a NULL value gives NULL (the fix scripts leave NULLs alone);
-- a NULL target or target_typmod is an error.
SELECT fk_guard.converts(NULL::text, 'integer') IS NULL AS null_value_gives_null;
SELECT fk_guard.converts('1'::text, NULL);
SELECT fk_guard.converts('1'::text, 'integer', NULL);
-- classify_key_pair(): the types are required; collations and the operator
-- class default to the type's.
SELECT * FROM fk_guard.classify_key_pair(NULL, 'integer');
SELECT * FROM fk_guard.classify_key_pair('integer', NULL);
SELECT kind FROM fk_guard.classify_key_pair('integer', 'bigint', NULL, NULL, NULL);

DROP TABLE na_orders, na_users;
