#!/usr/bin/env bash
# Benchmark, each query in a fresh session (a new connection per run, so the
# backend's system caches start empty, as for a CI job's single psql call):
#   - fk_guard.check_foreign_keys() against its budget of 1 s;
#   - fk_guard.diagnose_fk_mismatches(include_implied => false) against the
#     plain catalog query a DBA would use (plain_fk_type_check.sql).
# On the catalog of diagnose_catalog.sh (build_catalog.sql): by default
# 10,000 tables and 20,000 foreign keys, none of them indexed on the
# referencing side (so check_foreign_keys() reports each as unindexed, with
# the table's size), 5,000 mismatched.
#
# Scale and rounds (environment variables, defaults in brackets):
#   FKG_BENCH_PARENTS, FKG_BENCH_CHILDREN, FKG_BENCH_FKS_PER_CHILD,
#   FKG_BENCH_MISMATCH_EVERY   as in diagnose_catalog.sh [5000, 5000, 4, 4]
#   FKG_BENCH_RUNS             fresh sessions per query; medians reported [7]
# Each round runs the three queries in a rotating order, each in its own new
# session; time is psql's \timing of the query alone (not the connection).
#
# Output: the medians and
#   ratio check_foreign_keys/1s: <x>          (at most 1 meets the budget)
#   ratio diagnose/plain (fresh session): <y> (at most 1: no slower)
#
# Usage: test/bench/check_foreign_keys_bench.sh   (as root or as the cluster
# user; the extension must be installed: make && make install)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/../.." && pwd)"

: "${FKG_BENCH_PARENTS:=5000}"
: "${FKG_BENCH_CHILDREN:=5000}"
: "${FKG_BENCH_FKS_PER_CHILD:=4}"
: "${FKG_BENCH_MISMATCH_EVERY:=4}"
: "${FKG_BENCH_RUNS:=7}"
for v in FKG_BENCH_PARENTS FKG_BENCH_CHILDREN FKG_BENCH_FKS_PER_CHILD FKG_BENCH_MISMATCH_EVERY FKG_BENCH_RUNS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "$v must be a positive integer" >&2; exit 2; }
done
(( FKG_BENCH_PARENTS >= 8 )) || { echo "FKG_BENCH_PARENTS must be at least 8" >&2; exit 2; }

# shellcheck disable=SC2034
FKG_PORT="${FKG_PORT:-54342}"
# shellcheck source=../lib/cluster.sh
source "$ROOT_DIR/test/lib/cluster.sh"

PLAIN_SQL="$(cat "$BENCH_DIR/plain_fk_type_check.sql")"
PLAIN_SQL="${PLAIN_SQL%;}"
declare -A QUERY=(
  [check_foreign_keys]="SELECT count(*) FROM fk_guard.check_foreign_keys()"
  [diagnose]="SELECT count(*) FROM fk_guard.diagnose_fk_mismatches(include_implied => false)"
  [plain]="SELECT count(*) FROM ($PLAIN_SQL) AS s"
)
NAMES=(check_foreign_keys diagnose plain)

started=$SECONDS
cluster_start
cluster_psql -q -c "CREATE EXTENSION pg_fk_guard"
echo "scale: $FKG_BENCH_PARENTS referenced + $FKG_BENCH_CHILDREN referencing tables," \
     "$FKG_BENCH_FKS_PER_CHILD FKs per referencing table, 1 in $FKG_BENCH_MISMATCH_EVERY mismatched"
build_started=$SECONDS
cluster_psql -q \
  -v parents="$FKG_BENCH_PARENTS" -v children="$FKG_BENCH_CHILDREN" \
  -v fks_per_child="$FKG_BENCH_FKS_PER_CHILD" -v mismatch_every="$FKG_BENCH_MISMATCH_EVERY" \
  -f "$BENCH_DIR/build_catalog.sql"
cluster_psql -At -c "
  SELECT format('catalog: %s tables, %s foreign keys', (SELECT count(*) FROM pg_class c
           WHERE c.relnamespace = 'bench'::regnamespace AND c.relkind = 'r'), count(*))
  FROM pg_constraint con WHERE con.contype = 'f' AND con.connamespace = 'bench'::regnamespace"
echo "build: $((SECONDS - build_started)) s"
# Settle: a checkpoint, and one untimed run of each so that the relation
# files are in the OS cache, as on a live server.
cluster_psql -q -c "CHECKPOINT"
for name in "${NAMES[@]}"; do cluster_psql -q -c "${QUERY[$name]}" >/dev/null; done

# One query in a new session: prints "<ms> <rows>".
fresh_run() {
  cluster_psql -At -c '\timing on' -c "$1" | awk '/^Time: / { ms = $2 } /^[0-9]+$/ { n = $1 } END { print ms, n }'
}

declare -A TIMES ROWS
echo "timing: $FKG_BENCH_RUNS rounds, each query in a new session"
for ((run = 0; run < FKG_BENCH_RUNS; run++)); do
  for ((i = 0; i < ${#NAMES[@]}; i++)); do
    name=${NAMES[$(((i + run) % ${#NAMES[@]}))]}
    read -r ms n < <(fresh_run "${QUERY[$name]}")
    TIMES[$name]+="$ms "
    ROWS[$name]=$n
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A MED
for name in "${NAMES[@]}"; do
  MED[$name]=$(median <<<"${TIMES[$name]}")
  printf '%-20s median %8.1f ms, %s rows   (runs: %s)\n' "$name" "${MED[$name]}" "${ROWS[$name]}" "${TIMES[$name]% }"
done
awk -v c="${MED[check_foreign_keys]}" -v d="${MED[diagnose]}" -v p="${MED[plain]}" 'BEGIN {
  printf "ratio check_foreign_keys/1s: %.2f\n", c / 1000
  printf "ratio diagnose/plain (fresh session): %.2f\n", d / p
}'

cluster_check_log
cluster_stop
echo "total: $((SECONDS - started)) s"
