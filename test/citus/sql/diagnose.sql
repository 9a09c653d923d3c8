-- diagnose_fk_mismatches() reports a distributed key once on the
-- coordinator, and nothing for shards on any node (the coordinator holds the
-- shards of reference and Citus local tables, each worker those of
-- distributed tables).
CREATE SCHEMA diag;
SET search_path = diag;
CREATE TABLE accounts (id bigint PRIMARY KEY);
SELECT create_reference_table('diag.accounts');
CREATE TABLE orders (tenant int, id int, account_id int REFERENCES accounts(id));
SELECT create_distributed_table('diag.orders', 'tenant', shard_count => 8);
CREATE TABLE ledger (id int PRIMARY KEY, account_id int REFERENCES accounts(id));
SELECT create_reference_table('diag.ledger');
CREATE TABLE local_log (id int PRIMARY KEY, account_id int REFERENCES accounts(id));
-- An implied pair: no foreign key, the name points at accounts.
CREATE TABLE invoices (tenant int, accounts_id int);
SELECT create_distributed_table('diag.invoices', 'tenant', colocate_with => 'diag.orders');
-- Keys Citus would refuse get Citus's kind (implied pairs here: Citus
-- refuses such keys when they are declared). Distribution columns of
-- different types, a domain and its base type among them (compared as Citus
-- compares them, by type, not by name), can never be colocated.
CREATE TABLE tenants (id bigint PRIMARY KEY);
SELECT create_distributed_table('diag.tenants', 'id', shard_count => 4, colocate_with => 'none');
CREATE TABLE projects (tenant_id int, id int);
SELECT create_distributed_table('diag.projects', 'tenant_id', shard_count => 4, colocate_with => 'none');
CREATE DOMAIN tenant_key AS bigint;
CREATE TABLE usage (tenant_id tenant_key, n int);
SELECT create_distributed_table('diag.usage', 'tenant_id', shard_count => 4, colocate_with => 'none');
-- A reference table cannot reference a distributed table.
CREATE TABLE tenant_notes (id int PRIMARY KEY, tenant_id bigint);
SELECT create_reference_table('diag.tenant_notes');
-- Colocated, the distribution columns of one type but other lengths: Citus
-- accepts the key; only the width differs.
CREATE TABLE labels (id varchar(20) PRIMARY KEY);
SELECT create_distributed_table('diag.labels', 'id', shard_count => 4, colocate_with => 'none');
CREATE TABLE label_uses (label_id varchar(10), n int);
SELECT create_distributed_table('diag.label_uses', 'label_id', colocate_with => 'diag.labels');
SELECT logicalrelid, partmethod FROM pg_dist_partition WHERE logicalrelid::text LIKE 'diag.%' ORDER BY 1;
RESET search_path;

SELECT source, referencing_table, referencing_column, referenced_table, kind, severity
  FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table::text LIKE 'diag.%' ORDER BY referencing_table::text, referencing_column;
-- What a Citus kind says, and the fix it gives.
SELECT kind, detail, suggested_fix FROM fk_guard.diagnose_fk_mismatches()
 WHERE referencing_table::text IN ('diag.usage', 'diag.tenant_notes') ORDER BY referencing_table::text;
-- The same on each worker: the tables, none of their shards.
SELECT nodeport - (SELECT min(nodeport) FROM pg_dist_node WHERE groupid > 0) AS worker, success, result
  FROM run_command_on_workers($$SELECT string_agg(source || ' ' || referencing_table || '.' || referencing_column
                                  || ' ' || kind, '; ' ORDER BY referencing_table::text, referencing_column)
                                 FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table::text LIKE 'diag.%'$$)
 ORDER BY 1;
-- Shards on the coordinator: named nowhere.
SELECT count(*) AS shard_rows FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table::text ~ '_[0-9]+$';
SELECT count(*) AS shard_findings FROM fk_guard.check_foreign_keys() WHERE referencing_table::text ~ '_[0-9]+$';
-- Colocation groups are shared with the tests that follow.
DROP TABLE diag.projects, diag.usage, diag.tenant_notes, diag.tenants, diag.label_uses, diag.labels;
