#!/usr/bin/env bash
# Benchmark: fk_guard.diagnose_fk_mismatches() against the plain catalog query
# a DBA would use for the same job (plain_fk_type_check.sql), on a large
# synthetic catalog in a throwaway cluster.
#
# Scale (environment variables, defaults in brackets):
#   FKG_BENCH_PARENTS         referenced tables, one primary key each       [5000]
#   FKG_BENCH_CHILDREN        referencing tables                            [5000]
#   FKG_BENCH_FKS_PER_CHILD   single-column foreign keys per child table    [4]
#   FKG_BENCH_MISMATCH_EVERY  one foreign key in this many is mismatched    [4]
#   FKG_BENCH_WARMUPS         untimed warm-up rounds                        [1]
#   FKG_BENCH_RUNS            timed rounds; medians are reported            [5]
# Defaults: 10,000 tables, 20,000 foreign keys, 5,000 of them mismatched,
# cycling through eight kinds (see build_catalog.sql).
#
# Usage: test/bench/diagnose_catalog.sh   (as root or as the cluster user;
# the extension must be installed: make && make install)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/../.." && pwd)"

: "${FKG_BENCH_PARENTS:=5000}"
: "${FKG_BENCH_CHILDREN:=5000}"
: "${FKG_BENCH_FKS_PER_CHILD:=4}"
: "${FKG_BENCH_MISMATCH_EVERY:=4}"
: "${FKG_BENCH_WARMUPS:=1}"
: "${FKG_BENCH_RUNS:=5}"

for v in FKG_BENCH_PARENTS FKG_BENCH_CHILDREN FKG_BENCH_FKS_PER_CHILD \
         FKG_BENCH_MISMATCH_EVERY FKG_BENCH_RUNS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "$v must be a positive integer" >&2; exit 2; }
done
[[ "$FKG_BENCH_WARMUPS" =~ ^[0-9]+$ ]] || { echo "FKG_BENCH_WARMUPS must be a non-negative integer" >&2; exit 2; }
# build_catalog.sql gives referenced table i the key kind i % 8.
(( FKG_BENCH_PARENTS >= 8 )) || { echo "FKG_BENCH_PARENTS must be at least 8" >&2; exit 2; }

# A private port, so as not to collide with other test clusters (read by cluster.sh).
# shellcheck disable=SC2034
FKG_PORT=54341
# shellcheck source=../lib/cluster.sh
source "$ROOT_DIR/test/lib/cluster.sh"

# The queries under test. Each returns one row per mismatched key column pair;
# time_queries.sql times SELECT count(*) FROM (<query>) for each. The plain
# query only sees declared foreign keys, so ours runs with include_implied =>
# false for a like-for-like comparison; FKG_BENCH_IMPLIED=1 times the default
# (implied pairs too: one more pass over pg_class and the columns).
if [ "${FKG_BENCH_IMPLIED:-0}" = 1 ]; then
  OURS_SQL='SELECT * FROM fk_guard.diagnose_fk_mismatches()'
else
  OURS_SQL='SELECT * FROM fk_guard.diagnose_fk_mismatches(include_implied => false)'
fi
BASELINE_SQL="$(cat "$BENCH_DIR/plain_fk_type_check.sql")"
BASELINE_SQL="${BASELINE_SQL%;}"   # it is wrapped in a subquery

started=$SECONDS
cluster_start          # also registers cluster_stop on EXIT
cluster_psql -q -c "CREATE EXTENSION pg_fk_guard"

echo "scale: $FKG_BENCH_PARENTS referenced + $FKG_BENCH_CHILDREN referencing tables," \
     "$FKG_BENCH_FKS_PER_CHILD FKs per referencing table, 1 in $FKG_BENCH_MISMATCH_EVERY mismatched"
build_started=$SECONDS
cluster_psql -q \
  -v parents="$FKG_BENCH_PARENTS" -v children="$FKG_BENCH_CHILDREN" \
  -v fks_per_child="$FKG_BENCH_FKS_PER_CHILD" -v mismatch_every="$FKG_BENCH_MISMATCH_EVERY" \
  -f "$BENCH_DIR/build_catalog.sql"

# The catalog as built, counted from the catalog itself.
cluster_psql -At -c "
  SELECT format('catalog: %s tables, %s foreign keys (%s key column pairs), %s with a column differing in type, typmod or collation',
           (SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'bench'::regnamespace AND c.relkind = 'r'),
           count(*), sum(cardinality(con.conkey)),
           count(*) FILTER (WHERE EXISTS (
             SELECT FROM unnest(con.conkey, con.confkey) AS k(fk, pk)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.fk
             JOIN pg_attribute b ON b.attrelid = con.confrelid AND b.attnum = k.pk
             WHERE (a.atttypid, a.atttypmod, a.attcollation) IS DISTINCT FROM (b.atttypid, b.atttypmod, b.attcollation))))
  FROM pg_constraint con
  WHERE con.contype = 'f' AND con.connamespace = 'bench'::regnamespace"
echo "build: $((SECONDS - build_started)) s"

echo "timing: $FKG_BENCH_WARMUPS warm-up + $FKG_BENCH_RUNS timed runs of each query, one session"
cluster_psql -q \
  -v ours_sql="$OURS_SQL" -v baseline_sql="$BASELINE_SQL" \
  -v warmups="$FKG_BENCH_WARMUPS" -v runs="$FKG_BENCH_RUNS" \
  -f "$BENCH_DIR/time_queries.sql"

cluster_check_log
cluster_stop
echo "total: $((SECONDS - started)) s"
