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
SELECT logicalrelid, partmethod FROM pg_dist_partition WHERE logicalrelid::text LIKE 'diag.%' ORDER BY 1;
RESET search_path;

SELECT source, referencing_table, referencing_column, referenced_table, kind
  FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table::text LIKE 'diag.%' ORDER BY referencing_table::text, referencing_column;
-- The same on each worker: the tables, none of their shards.
SELECT nodeport - (SELECT min(nodeport) FROM pg_dist_node WHERE groupid > 0) AS worker, success, result
  FROM run_command_on_workers($$SELECT string_agg(source || ' ' || referencing_table || '.' || referencing_column
                                  || ' ' || kind, '; ' ORDER BY referencing_table::text, referencing_column)
                                 FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table::text LIKE 'diag.%'$$)
 ORDER BY 1;
-- Shards on the coordinator: named nowhere.
SELECT count(*) AS shard_rows FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table::text ~ '_[0-9]+$';
SELECT count(*) AS shard_findings FROM fk_guard.check_foreign_keys() WHERE referencing_table::text ~ '_[0-9]+$';
