-- change_key_type_plan() on Citus: the classic migration of a tenant key
-- from integer to bigint, where the key and the columns that reference it
-- are distribution columns, colocated. Citus cannot change a distribution
-- column's type in place, so the plan distributes the tables again, colocated
-- as before, and says so; run here as it stands, then the data and keys are
-- checked.
SET client_min_messages = warning;
CREATE SCHEMA keys;
SET search_path = keys;
CREATE TABLE plans (id int PRIMARY KEY);
SELECT create_reference_table('keys.plans');
INSERT INTO plans SELECT g FROM generate_series(1, 3) g;
CREATE TABLE tenants (id int PRIMARY KEY, plan_id int REFERENCES plans(id));
SELECT create_distributed_table('keys.tenants', 'id', shard_count => 4);
INSERT INTO tenants SELECT g, g % 3 + 1 FROM generate_series(1, 8) g;
CREATE TABLE projects (tenant_id int REFERENCES tenants(id), id int, PRIMARY KEY (tenant_id, id));
SELECT create_distributed_table('keys.projects', 'tenant_id', colocate_with => 'keys.tenants');
INSERT INTO projects SELECT g % 8 + 1, g FROM generate_series(1, 40) g;
SELECT fk_guard.change_key_type_plan('keys.tenants', 'id', 'bigint') AS plan \gset
SELECT line FROM regexp_split_to_table(:'plan', E'\n') line WHERE line LIKE '-- On Citus%' OR line LIKE '-- Statements%';
BEGIN;
SELECT :'plan' AS script \gset
:script
COMMIT;
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'keys'::regnamespace AND c.relname IN ('tenants', 'projects') AND a.attname IN ('id', 'tenant_id')
 ORDER BY 1, 2;
SELECT logicalrelid, partmethod, colocationid = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'keys.tenants'::regclass) AS with_tenants
  FROM pg_dist_partition WHERE (SELECT relnamespace FROM pg_class WHERE oid = logicalrelid) = 'keys'::regnamespace ORDER BY 1::text;
SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE connamespace = 'keys'::regnamespace AND contype = 'f' ORDER BY 1::text, 2;
SELECT (SELECT count(*) FROM tenants) AS tenants, (SELECT count(*) FROM projects) AS projects,
       (SELECT count(*) FROM projects p JOIN tenants t ON t.id = p.tenant_id) AS joined;
-- A key on a reference table, referenced by a column that is not a
-- distribution column: Citus converts both in place.
SELECT fk_guard.change_key_type_plan('keys.plans', 'id', 'bigint') AS plan \gset
SELECT line FROM regexp_split_to_table(:'plan', E'\n') line WHERE line LIKE '-- On Citus%' OR line LIKE '-- Statements%';
BEGIN;
SELECT :'plan' AS script \gset
:script
COMMIT;
SELECT format_type(atttypid, atttypmod) AS tenants_plan_id FROM pg_attribute WHERE attrelid = 'keys.tenants'::regclass AND attname = 'plan_id';
SELECT count(*) AS shard_keys FROM run_command_on_shards('keys.tenants',
  $$SELECT count(*) FROM pg_constraint WHERE conrelid = '%s'::regclass AND contype = 'f'$$) WHERE result = '1';
-- Without a cast (uuid keys become integers from another column): every
-- reference follows its key through a temporary map, which only the
-- coordinator has, so the tables are distributed again around the conversion.
CREATE TABLE accounts (id uuid PRIMARY KEY, n int UNIQUE NOT NULL);
SELECT create_reference_table('keys.accounts');
INSERT INTO accounts SELECT md5(g::text)::uuid, g FROM generate_series(1, 10) g;
CREATE TABLE logins (id int, account_id uuid REFERENCES accounts(id));
SELECT create_distributed_table('keys.logins', 'id', shard_count => 4);
INSERT INTO logins SELECT g, md5((g % 10 + 1)::text)::uuid FROM generate_series(1, 30) g;
SELECT fk_guard.change_key_type_plan('keys.accounts', 'id', 'integer', new_key_expression => 'r.n') AS plan \gset
SELECT line FROM regexp_split_to_table(:'plan', E'\n') line WHERE line LIKE '-- On Citus%' OR line LIKE '-- Statements%';
SET client_min_messages = error;
BEGIN;
SELECT :'plan' AS script \gset
:script
COMMIT;
SET client_min_messages = warning;
SELECT count(*) AS logins, count(a.n) AS with_account, pg_typeof(max(l.account_id)) AS type,
       bool_and(a.n = l.id % 10 + 1) AS followed_its_key
  FROM logins l LEFT JOIN accounts a ON a.id = l.account_id;
SELECT logicalrelid, partmethod FROM pg_dist_partition WHERE logicalrelid IN ('keys.accounts'::regclass, 'keys.logins'::regclass) ORDER BY 1::text;
SELECT count(*) AS shard_keys FROM run_command_on_shards('keys.logins',
  $$SELECT count(*) FROM pg_constraint WHERE conrelid = '%s'::regclass AND contype = 'f'$$) WHERE result = '1';
RESET search_path;
DROP SCHEMA keys CASCADE;
