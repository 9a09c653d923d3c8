#!/usr/bin/env bash
# Benchmark: ADD FOREIGN KEY on a 32-shard distributed table on a Citus
# cluster (a coordinator and two workers, test/citus/cluster.sh), with
# pg_fk_guard installed against plain Citus (a second database on the same
# nodes without the extension).
#
#   plans   reference table: id bigint PRIMARY KEY, FKG_BENCH_ROWS/100 rows
#   tasks   distributed by tenant_id, 32 shards, FKG_BENCH_ROWS rows:
#           tenant_id int, id bigint, plan_id bigint (types match: the guard
#           judges the key and lets it through, its common case)
#
# One psql session per round and database: FKG_BENCH_REPEAT times ADD
# CONSTRAINT (timed with \timing) and DROP CONSTRAINT (not timed); rounds
# alternate between the two databases. Prints each round's total ADD time,
# the best of FKG_BENCH_ROUNDS rounds for each and the ratio guard/plain
# (goal <= 1.05). Nothing asserts on time.
#
#   FKG_BENCH_ROWS [100000]  FKG_BENCH_REPEAT [10]  FKG_BENCH_ROUNDS [3]
#   FKG_CITUS_PORT [54385] (and the next two)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${PG_CONFIG:=pg_config}"
: "${FKG_BENCH_ROWS:=100000}"
: "${FKG_BENCH_REPEAT:=10}"
: "${FKG_BENCH_ROUNDS:=3}"
: "${FKG_CITUS_PORT:=54385}"
export PG_CONFIG
test/citus/build_citus.sh >/dev/null || { echo "citus bench: no Citus build available"; exit 1; }
source test/citus/cluster.sh
citus_cluster_start "$FKG_CITUS_PORT" fkg_bench plain_bench

for db in fkg_bench plain_bench; do
  citus_psql coordinator "$db" >/dev/null <<SQL
CREATE TABLE plans (id bigint PRIMARY KEY);
SELECT create_reference_table('plans');
INSERT INTO plans SELECT g FROM generate_series(1, greatest($FKG_BENCH_ROWS / 100, 1)) g;
CREATE TABLE tasks (tenant_id int, id bigint, plan_id bigint);
SELECT create_distributed_table('tasks', 'tenant_id', shard_count => 32);
INSERT INTO tasks SELECT g % 1000, g, g % greatest($FKG_BENCH_ROWS / 100, 1) + 1 FROM generate_series(1, $FKG_BENCH_ROWS) g;
VACUUM ANALYZE tasks;
SQL
done
echo "citus bench: 32-shard ADD FOREIGN KEY, $FKG_BENCH_ROWS rows, $FKG_BENCH_REPEAT per round; load: $(cut -d' ' -f1-3 /proc/loadavg)"

script="$(mktemp)"
trap 'rm -f "$script"; citus_cluster_stop' EXIT
for i in $(seq "$FKG_BENCH_REPEAT"); do
  echo "\\timing on"
  echo "ALTER TABLE tasks ADD CONSTRAINT tasks_plan_fkey FOREIGN KEY (plan_id) REFERENCES plans(id);"
  echo "\\timing off"
  echo "ALTER TABLE tasks DROP CONSTRAINT tasks_plan_fkey;"
done >"$script"

round_ms() { citus_psql coordinator "$1" -f "$script" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | awk '{s += $1} END {printf "%.1f", s}'; }

best_guard="" best_plain=""
for r in $(seq "$FKG_BENCH_ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="fkg_bench plain_bench"; else order="plain_bench fkg_bench"; fi
  for db in $order; do
    ms=$(round_ms "$db")
    echo "round $r $db: $ms ms"
    if [ "$db" = fkg_bench ]; then
      if [ -z "$best_guard" ] || awk -v a="$ms" -v b="$best_guard" 'BEGIN{exit !(a < b)}'; then best_guard=$ms; fi
    else
      if [ -z "$best_plain" ] || awk -v a="$ms" -v b="$best_plain" 'BEGIN{exit !(a < b)}'; then best_plain=$ms; fi
    fi
  done
done
echo "best: with pg_fk_guard $best_guard ms, plain Citus $best_plain ms for $FKG_BENCH_REPEAT ADD FOREIGN KEY"
awk -v g="$best_guard" -v p="$best_plain" 'BEGIN { printf "ratio guard/plain: %.3f (goal <= 1.05)\n", g / p }'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
