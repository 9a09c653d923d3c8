-- The guard judges a statement once, where the user sent it, with that
-- session's settings. With soft_mismatches = error as the database default
-- (on every node), a soft mismatch the migration accepts knowingly
-- (SET pg_fk_guard.soft_mismatches = warn) is accepted as plain Citus accepts
-- it, and Citus's own shard operations, which re-create existing keys on
-- workers and on the coordinator, are never refused.
ALTER DATABASE fkg_citus SET pg_fk_guard.soft_mismatches = error;
\c
SHOW pg_fk_guard.soft_mismatches;
SELECT result AS on_workers FROM run_command_on_workers($$SHOW pg_fk_guard.soft_mismatches$$);
CREATE SCHEMA ops;
SET search_path = ops;
CREATE TABLE plans (id bigint PRIMARY KEY);
SELECT create_reference_table('ops.plans');
INSERT INTO plans SELECT g FROM generate_series(1, 4) g;
CREATE TABLE tenants (id int PRIMARY KEY);
SELECT create_distributed_table('ops.tenants', 'id', shard_count => 4);
CREATE TABLE tasks (tenant_id int, id int, plan_id int);
SELECT create_distributed_table('ops.tasks', 'tenant_id', colocate_with => 'ops.tenants');
INSERT INTO tasks SELECT g % 3, g, g % 4 + 1 FROM generate_series(1, 40) g;
-- The database's policy refuses it.
ALTER TABLE tasks ADD FOREIGN KEY (plan_id) REFERENCES plans(id);
-- Accepted knowingly in this session: the workers do not refuse it.
SET pg_fk_guard.soft_mismatches = warn;
ALTER TABLE tasks ADD FOREIGN KEY (plan_id) REFERENCES plans(id);
RESET pg_fk_guard.soft_mismatches;
SHOW pg_fk_guard.soft_mismatches;
-- Every policy setting, through shard moves and table conversions.
SELECT count(*) AS shard_keys FROM run_command_on_shards('ops.tasks',
  $$SELECT count(*) FROM pg_constraint WHERE conrelid = '%s'::regclass AND contype = 'f'$$) WHERE result = '1';
SELECT citus_move_shard_placement(s.shardid, n.nodename, n.nodeport, m.nodename, m.nodeport,
                                  shard_transfer_mode => 'block_writes') AS moved
  FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)
  JOIN pg_dist_node m ON m.groupid > 0 AND m.groupid <> n.groupid
 WHERE s.logicalrelid = 'ops.tasks'::regclass ORDER BY s.shardid LIMIT 1;
SELECT alter_distributed_table('ops.tasks', shard_count => 6, cascade_to_colocated => true);
SET pg_fk_guard.soft_mismatches = ignore;
SELECT alter_distributed_table('ops.tasks', shard_count => 4, cascade_to_colocated => true);
SET pg_fk_guard.soft_mismatches = warn;
SELECT undistribute_table('ops.plans', cascade_via_foreign_keys => true);
RESET pg_fk_guard.soft_mismatches;
SELECT logicalrelid FROM pg_dist_partition WHERE (SELECT relnamespace FROM pg_class WHERE oid = logicalrelid) = 'ops'::regnamespace ORDER BY logicalrelid::text;
-- Back to Citus under the database's policy (error): tasks becomes a Citus
-- local table with plans, then a distributed table again.
SELECT create_reference_table('ops.plans');
SELECT create_distributed_table('ops.tasks', 'tenant_id', colocate_with => 'ops.tenants');
SELECT undistribute_table('ops.plans', cascade_via_foreign_keys => true);
SELECT create_reference_table('ops.plans');
SELECT create_distributed_table('ops.tasks', 'tenant_id', colocate_with => 'ops.tenants');
SELECT logicalrelid, partmethod FROM pg_dist_partition WHERE (SELECT relnamespace FROM pg_class WHERE oid = logicalrelid) = 'ops'::regnamespace ORDER BY logicalrelid::text;
-- The key survived every step, rows included.
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'ops.tasks'::regclass AND contype = 'f';
SELECT count(*) AS tasks FROM tasks;
-- The guard still refuses what the database's policy refuses, after all that.
CREATE TABLE more_plans (id bigint PRIMARY KEY);
SELECT create_reference_table('ops.more_plans');
ALTER TABLE tasks ADD FOREIGN KEY (plan_id) REFERENCES more_plans(id);
RESET search_path;
ALTER DATABASE fkg_citus RESET pg_fk_guard.soft_mismatches;
