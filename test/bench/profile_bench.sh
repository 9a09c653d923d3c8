#!/usr/bin/env bash
# Benchmark: fk_guard.profile_column() and diagnose_fk_mismatches() against
# what a DBA would write by hand, in a throwaway cluster.
#
#   1. profile_column(bench.big, ref, integer) over a text column of integer
#      strings, uuid strings and NULLs (see profile_bench_data.sql), against
#        - SELECT count(*) FROM bench.big WHERE ref IS NOT NULL, one process
#          (goal: time ratio profile/count <= 1.1, in elapsed time and in
#          the backend's CPU time, which other load on the machine does not
#          inflate as much), and with parallel workers
#          allowed, for reference;
#        - the usual PL/pgSQL loop with one EXCEPTION block per row
#          (bench.dba_loop), run on bench.sample, a smaller table built the
#          same way; its rows/s is extrapolated to bench.big (goal:
#          profile_column() >= 20x the loop's rows/s). The loop's counts must
#          equal profile_column()'s on bench.sample.
#   2. profile_column(..., referenced_table => bench.keys) against a
#      hand-written anti-join (regex prefilter, overflow-safe cast, NOT
#      EXISTS) on bench.big (goal: ours no slower). The orphan counts must agree.
#   3. diagnose_fk_mismatches() with implied pairs on a catalog of
#      parents + children tables (profile_bench_catalog.sql): median time
#      (goal: under one second), implied and declared rows found.
#
# Each part's queries are timed in one session (profile_bench_time.sql):
# warm-up rounds, then timed rounds, alternating the queries; medians are
# reported, with ratios computed from figures of this run. Nothing asserts on
# time. The exit status is non-zero only when a count check fails (or the
# server crashed).
#
# Scale (environment variables, defaults in brackets):
#   FKG_BENCH_ROWS            rows in bench.big                              [10000000]
#   FKG_BENCH_SAMPLE_ROWS     rows in bench.sample (the PL/pgSQL loop's)     [200000]
#   FKG_BENCH_KEYS            integer keys the values are drawn from         [1000000]
#   FKG_BENCH_PARENTS         referenced tables in the catalog               [5000]
#   FKG_BENCH_CHILDREN        referencing tables in the catalog              [5000]
#   FKG_BENCH_REFS_PER_CHILD  key columns per referencing table, even;
#                             half implied (no FK), half declared FKs        [4]
#   FKG_BENCH_MISMATCH_EVERY  one declared FK in this many is mismatched     [2]
#   FKG_BENCH_WARMUPS         untimed warm-up rounds per part                [1]
#   FKG_BENCH_RUNS            timed rounds per part; medians are reported    [5]
#   FKG_BENCH_WORK_MEM        work_mem of the timing sessions (the anti-join's
#                             hash table of bench.keys fits in memory)       [256MB]
#
# Usage: test/bench/profile_bench.sh   (as root or as the cluster user;
# the extension must be installed: make && make install)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/../.." && pwd)"

: "${FKG_BENCH_ROWS:=10000000}"
: "${FKG_BENCH_SAMPLE_ROWS:=200000}"
: "${FKG_BENCH_KEYS:=1000000}"
: "${FKG_BENCH_PARENTS:=5000}"
: "${FKG_BENCH_CHILDREN:=5000}"
: "${FKG_BENCH_REFS_PER_CHILD:=4}"
: "${FKG_BENCH_MISMATCH_EVERY:=2}"
: "${FKG_BENCH_WARMUPS:=1}"
: "${FKG_BENCH_RUNS:=5}"
: "${FKG_BENCH_WORK_MEM:=256MB}"

for v in FKG_BENCH_ROWS FKG_BENCH_SAMPLE_ROWS FKG_BENCH_KEYS FKG_BENCH_PARENTS FKG_BENCH_CHILDREN \
         FKG_BENCH_REFS_PER_CHILD FKG_BENCH_MISMATCH_EVERY FKG_BENCH_RUNS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "$v must be a positive integer" >&2; exit 2; }
done
[[ "$FKG_BENCH_WARMUPS" =~ ^[0-9]+$ ]] || { echo "FKG_BENCH_WARMUPS must be a non-negative integer" >&2; exit 2; }
((FKG_BENCH_REFS_PER_CHILD % 2 == 0)) || { echo "FKG_BENCH_REFS_PER_CHILD must be even" >&2; exit 2; }
# The catalog's implied and declared columns of one table name distinct tables.
((FKG_BENCH_PARENTS >= FKG_BENCH_REFS_PER_CHILD)) ||
  { echo "FKG_BENCH_PARENTS must be at least FKG_BENCH_REFS_PER_CHILD" >&2; exit 2; }
# Stems are "item" plus four letters.
((FKG_BENCH_PARENTS <= 26 ** 4)) || { echo "FKG_BENCH_PARENTS must be at most $((26 ** 4))" >&2; exit 2; }
# The integer keys must fit in integer.
((FKG_BENCH_KEYS < 2 ** 31 - 1)) || { echo "FKG_BENCH_KEYS must be below 2^31 - 1" >&2; exit 2; }

# A private port, so as not to collide with other test clusters (read by cluster.sh).
# shellcheck disable=SC2034
FKG_PORT="${FKG_BENCH_PORT:-54384}"
# shellcheck source=../lib/cluster.sh
source "$ROOT_DIR/test/lib/cluster.sh"

# Sessions load the installed module when they first need it; a rebuild
# installed during the run would mix two builds in the figures.
MODULE="$("$PG_CONFIG" --pkglibdir)/pg_fk_guard.so"
module_sum() { md5sum "$MODULE" | cut -c1-12; }
MODULE_SUM="$(module_sum)"

# time_part <part>: times the queries of one part of bench.queries in one
# session; prints how long that took and which build of the module it used.
time_part() {
  local before after t0=$SECONDS
  before="$(module_sum)"
  cluster_psql -q -v part="$1" -v warmups="$FKG_BENCH_WARMUPS" -v runs="$FKG_BENCH_RUNS" \
    -v work_mem="$FKG_BENCH_WORK_MEM" -v clk_tck="$(getconf CLK_TCK)" -f "$BENCH_DIR/profile_bench_time.sql"
  after="$(module_sum)"
  echo "  timed part '$1' in $((SECONDS - t0)) s (module md5 $before...)"
  if [ "$after" != "$before" ]; then
    echo "  WARNING: $MODULE was reinstalled while part '$1' was timed (md5 $before -> $after)"
  fi
}

started=$SECONDS
cluster_start          # also registers cluster_stop on EXIT
cluster_psql -q -c "CREATE EXTENSION pg_fk_guard"
cluster_psql -At -c "
  SELECT format('extension: pg_fk_guard %s (module md5 $MODULE_SUM...), %s', extversion, version())
  FROM pg_extension WHERE extname = 'pg_fk_guard'"
cluster_psql -At -c "
  SELECT format('server: %s CPUs; shared_buffers %s, max_parallel_workers_per_gather %s, jit %s (available: %s); timing sessions: work_mem $FKG_BENCH_WORK_MEM',
                '$(nproc)', current_setting('shared_buffers'), current_setting('max_parallel_workers_per_gather'),
                current_setting('jit'), pg_jit_available())"

# ---- Parts 1 and 2: data ----
echo "scale: bench.big $FKG_BENCH_ROWS rows, bench.sample $FKG_BENCH_SAMPLE_ROWS rows, keys 1..$FKG_BENCH_KEYS;" \
     "$FKG_BENCH_WARMUPS warm-up + $FKG_BENCH_RUNS timed rounds per part"
build_started=$SECONDS
cluster_psql -q -v rows="$FKG_BENCH_ROWS" -v sample_rows="$FKG_BENCH_SAMPLE_ROWS" -v keys="$FKG_BENCH_KEYS" \
  -f "$BENCH_DIR/profile_bench_data.sql"
cluster_psql -q -f "$BENCH_DIR/profile_bench_queries.sql"
cluster_psql -At -c "
  SELECT format('build: bench.big %s, bench.sample %s, bench.keys %s rows (%s with its primary key); %s s',
                pg_size_pretty(pg_table_size('bench.big')), pg_size_pretty(pg_table_size('bench.sample')),
                (SELECT count(*) FROM bench.keys), pg_size_pretty(pg_total_relation_size('bench.keys')),
                $SECONDS - $build_started)"

# ---- Parts 1 and 2: timing ----
for part in scan loop orphans; do
  time_part "$part"
done
echo
cluster_psql -q -v section=columns -f "$BENCH_DIR/profile_bench_report.sql"
echo

# ---- Part 3: the catalog ----
build_started=$SECONDS
cluster_psql -q -v parents="$FKG_BENCH_PARENTS" -v children="$FKG_BENCH_CHILDREN" \
  -v refs_per_child="$FKG_BENCH_REFS_PER_CHILD" -v mismatch_every="$FKG_BENCH_MISMATCH_EVERY" \
  -f "$BENCH_DIR/profile_bench_catalog.sql"
echo "build: catalog of $FKG_BENCH_PARENTS referenced + $FKG_BENCH_CHILDREN referencing tables," \
     "$FKG_BENCH_REFS_PER_CHILD key columns each; $((SECONDS - build_started)) s"
time_part catalog
echo
cluster_psql -q -v section=catalog -f "$BENCH_DIR/profile_bench_report.sql"

# ---- Checks ----
echo
cluster_psql -At -c "SELECT format('check %s: %s', CASE WHEN ok THEN 'ok' ELSE 'FAILED' END, name) ||
                            CASE WHEN ok THEN '' ELSE format(' (%s)', detail) END
                     FROM bench.checks ORDER BY ok, name"
failed="$(cluster_psql -At -c "SELECT count(*) FROM bench.checks WHERE NOT ok")"

cluster_check_log
if [ "$(module_sum)" != "$MODULE_SUM" ]; then
  echo "WARNING: $MODULE changed during the run (md5 $MODULE_SUM -> $(module_sum));" \
       "the 'timed part' lines say which build each part used"
fi
cluster_stop
echo "total: $((SECONDS - started)) s"
if [ "$failed" != 0 ]; then
  echo "$failed count check(s) FAILED" >&2
  exit 1
fi
