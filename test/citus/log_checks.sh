# The guard's messages per statement on a Citus cluster, counted where they
# appear: in the client's output and in each node's server log. A statement
# the user sends is judged once, on the coordinator: a soft mismatch gives
# one WARNING to the client (logged once by the coordinator) and none on the
# workers, whatever Citus sends to shards and shell tables; Citus's own shard
# operations give none anywhere. Sourced by test/run_citus.sh after
# test/citus/cluster.sh. Last line: "log checks: N passed, N failed".

CITUS_GUARD_MESSAGE='(WARNING|ERROR):  foreign key constraint "[^"]*" (pairs|will pair|cannot be implemented)'

citus_log_size() { stat -c %s "$CITUS_WORK/$1.log"; }

# citus_count_since NODE OFFSET: the guard's messages logged by NODE since OFFSET.
citus_count_since() { tail -c +$(($2 + 1)) "$CITUS_WORK/$1.log" | grep -cE "$CITUS_GUARD_MESSAGE"; }

# citus_check DB NAME CLIENT COORDINATOR WORKERS SQL: runs SQL on the
# coordinator and compares the guard's messages with the expected counts
# (WORKERS: on each worker).
citus_check() {
  local db="$1" name="$2" want_client="$3" want_coord="$4" want_workers="$5" sql="$6"
  local n
  declare -A before
  for n in "${CITUS_NODES[@]}"; do before[$n]=$(citus_log_size "$n"); done
  local client
  client=$(citus_psql coordinator "$db" <<<"$sql" 2>&1)
  local rc=$?
  local got_client got_coord got_w1 got_w2
  got_client=$(grep -cE "$CITUS_GUARD_MESSAGE" <<<"$client")
  got_coord=$(citus_count_since coordinator "${before[coordinator]}")
  got_w1=$(citus_count_since worker1 "${before[worker1]}")
  got_w2=$(citus_count_since worker2 "${before[worker2]}")
  local line="client $got_client, coordinator log $got_coord, worker logs $got_w1 and $got_w2"
  if [ $rc -eq 0 ] && [ "$got_client" = "$want_client" ] && [ "$got_coord" = "$want_coord" ] &&
    [ "$got_w1" = "$want_workers" ] && [ "$got_w2" = "$want_workers" ]; then
    echo "ok - $name: $line"
    check_passed=$((check_passed + 1))
  else
    echo "not ok - $name: $line (expected client $want_client, coordinator log $want_coord," \
      "each worker log $want_workers; exit status $rc)"
    echo "$client" | sed 's/^/#   /'
    check_failed=$((check_failed + 1))
  fi
}

citus_log_checks() {
  local db="$1"
  check_passed=0
  check_failed=0
  citus_psql coordinator "$db" >/dev/null 2>&1 <<'SQL' || { echo "log checks: setup failed"; echo "log checks: 0 passed, 1 failed"; return; }
CREATE SCHEMA logs;
SET search_path = logs;
CREATE TABLE plans (id bigint PRIMARY KEY);
SELECT create_reference_table('logs.plans');
CREATE TABLE tenants (id int PRIMARY KEY);
SELECT create_distributed_table('logs.tenants', 'id', shard_count => 32);
CREATE TABLE projects (tenant_id int, id bigint, PRIMARY KEY (tenant_id, id));
SELECT create_distributed_table('logs.projects', 'tenant_id', colocate_with => 'logs.tenants');
CREATE TABLE tasks (tenant_id int, id int, project_id int, plan_id int, plan2_id int, plan_code text);
SELECT create_distributed_table('logs.tasks', 'tenant_id', colocate_with => 'logs.tenants');
CREATE TABLE ref_items (id int PRIMARY KEY, plan_id int);
SELECT create_reference_table('logs.ref_items');
CREATE TABLE local_items (id int PRIMARY KEY, plan_id int);
SQL
  # Soft mismatches (integer referencing bigint: narrower, a WARNING).
  citus_check "$db" "distributed table (32 shards) -> reference table" 1 1 0 \
    "ALTER TABLE logs.tasks ADD FOREIGN KEY (plan_id) REFERENCES logs.plans(id)"
  citus_check "$db" "distributed -> colocated distributed table" 1 1 0 \
    "ALTER TABLE logs.tasks ADD FOREIGN KEY (tenant_id, project_id) REFERENCES logs.projects(tenant_id, id)"
  citus_check "$db" "reference table -> reference table" 1 1 0 \
    "ALTER TABLE logs.ref_items ADD FOREIGN KEY (plan_id) REFERENCES logs.plans(id)"
  citus_check "$db" "local table -> reference table (Citus makes it a Citus local table)" 1 1 0 \
    "ALTER TABLE logs.local_items ADD FOREIGN KEY (plan_id) REFERENCES logs.plans(id)"
  citus_check "$db" "CREATE TABLE with the key, then distributed" 1 1 0 \
    "CREATE TABLE logs.notes (tenant_id int, plan_id int REFERENCES logs.plans(id));
     SELECT create_distributed_table('logs.notes', 'tenant_id', colocate_with => 'logs.tenants')"
  citus_check "$db" "CREATE TABLE with the key alone (Citus makes it a Citus local table)" 1 1 0 \
    "CREATE TABLE logs.comments (id int, plan_id int REFERENCES logs.plans(id))"
  citus_check "$db" "a DO block adding the key to a distributed table" 1 1 0 \
    "DO \$\$BEGIN ALTER TABLE logs.tasks ADD FOREIGN KEY (plan2_id) REFERENCES logs.plans(id); END\$\$"
  # Counted only when the refusal is the guard's (its CONTEXT line): PostgreSQL
  # would refuse the key in the same words.
  citus_check "$db" "incompatible key refused by the guard on the coordinator" 1 1 0 \
    "DO \$\$DECLARE ctx text;
     BEGIN ALTER TABLE logs.tasks ADD FOREIGN KEY (plan_code) REFERENCES logs.plans(id);
     EXCEPTION WHEN datatype_mismatch THEN
       GET STACKED DIAGNOSTICS ctx = PG_EXCEPTION_CONTEXT;
       IF ctx LIKE '%pg_fk_guard: checked before PostgreSQL ran the statement%' THEN RAISE WARNING '%', SQLERRM; END IF;
     END\$\$"
  # A session that sets Citus's application_name is still judged on the
  # coordinator (Citus's own connections never bring it statements on Citus
  # tables but on shards).
  citus_check "$db" "application_name set like Citus's: still judged on the coordinator" 1 1 0 \
    "SET application_name = 'citus_internal gpid=10000000001';
     DO \$\$DECLARE ctx text;
     BEGIN ALTER TABLE logs.tasks ADD FOREIGN KEY (plan_code) REFERENCES logs.plans(id);
     EXCEPTION WHEN datatype_mismatch THEN
       GET STACKED DIAGNOSTICS ctx = PG_EXCEPTION_CONTEXT;
       IF ctx LIKE '%pg_fk_guard: checked before PostgreSQL ran the statement%' THEN RAISE WARNING '%', SQLERRM; END IF;
     END\$\$"
  # Citus's own operations re-create the keys: nothing to say.
  citus_check "$db" "citus_move_shard_placement" 0 0 0 \
    "SELECT citus_move_shard_placement(s.shardid, '127.0.0.1', n.nodeport, '127.0.0.1',
            CASE n.nodeport WHEN $(citus_port worker1) THEN $(citus_port worker2) ELSE $(citus_port worker1) END,
            shard_transfer_mode => 'block_writes')
       FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)
      WHERE s.logicalrelid = 'logs.tasks'::regclass ORDER BY s.shardid LIMIT 1"
  citus_check "$db" "alter_distributed_table (shard count, cascading to colocated tables)" 0 0 0 \
    "SELECT alter_distributed_table('logs.tasks', shard_count => 8, cascade_to_colocated => true)"
  citus_check "$db" "undistribute_table (cascading through foreign keys)" 0 0 0 \
    "SELECT undistribute_table('logs.ref_items', cascade_via_foreign_keys => true)"
  echo "log checks: $check_passed passed, $check_failed failed"
}
