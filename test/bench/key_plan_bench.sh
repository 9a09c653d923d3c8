#!/usr/bin/env bash
# Benchmark: fk_guard.change_key_type_plan() integer -> bigint, offline, against
# the same ALTERs written by hand, in a throwaway cluster (tables in the
# cluster's own data directory).
#
#   users      N rows: id serial PRIMARY KEY, email text
#   orders_1, orders_2, orders_3
#              N rows each: id bigint, user_id integer NOT NULL REFERENCES users,
#              with an index on user_id (user_id = 1 + i * 7919 % N)
#
# The data is built once in database kp_template; every timed run works on a
# fresh copy (CREATE DATABASE ... TEMPLATE kp_template STRATEGY FILE_COPY, not
# timed), CHECKPOINT first:
#   plan  BEGIN; SELECT fk_guard.change_key_type_plan('users', 'id', 'bigint') \gexec COMMIT;
#         (the call itself, which reads users.id once, is timed too)
#   hand  BEGIN; drop the 3 foreign keys; ALTER users.id TYPE bigint; ALTER each
#         user_id TYPE bigint; ALTER SEQUENCE users_id_seq AS bigint; add the 3
#         foreign keys NOT VALID; VALIDATE each; COMMIT;
# Wall time of one psql session per run, which alternate (plan first in odd
# rounds). The extension stays installed for both, the guard in its default
# mode, so the ratio is what the plan costs beyond the same statements; with
# FKG_BENCH_HAND_PLAIN=1 the hand-written runs use copies without the
# extension (plain PostgreSQL), which adds the guard's overhead to the ratio.
# Prints every run, the best of each and the ratio plan/hand (goal <= 1.05);
# checks that both end with the same column types and foreign key
# definitions, all validated. Nothing asserts on time; the exit status is
# non-zero only when a check fails.
#
# Scale (environment variables, defaults in brackets):
#   FKG_BENCH_ROWS        rows in users and in each referencing table   [10000000]
#   FKG_BENCH_RUNS        timed rounds (one plan, one hand each)        [3]
#   FKG_BENCH_HAND_PLAIN  1: hand-written runs without the extension    [0]
# At 10M rows the data takes about 2 GB per copy (two at a time at most)
# and each run minutes: this is not part of CI; run it on demand.
#
# Usage: test/bench/key_plan_bench.sh   (as root or as the cluster user;
# the extension must be installed: make && make install; PG_CONFIG chooses
# the installation)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/../.." && pwd)"

: "${FKG_BENCH_ROWS:=10000000}"
: "${FKG_BENCH_RUNS:=3}"
: "${FKG_BENCH_HAND_PLAIN:=0}"
for v in FKG_BENCH_ROWS FKG_BENCH_RUNS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "$v must be a positive integer" >&2; exit 2; }
done
[[ "$FKG_BENCH_HAND_PLAIN" =~ ^[01]$ ]] || { echo "FKG_BENCH_HAND_PLAIN must be 0 or 1" >&2; exit 2; }
((FKG_BENCH_ROWS < 2 ** 31 - 1)) || { echo "FKG_BENCH_ROWS must be below 2^31 - 1" >&2; exit 2; }

# A private port, so as not to collide with other test clusters (read by cluster.sh).
# shellcheck disable=SC2034
FKG_PORT=54386
# shellcheck source=../lib/cluster.sh
source "$ROOT_DIR/test/lib/cluster.sh"

MODULE="$("$PG_CONFIG" --pkglibdir)/pg_fk_guard.so"
module_sum() { md5sum "$MODULE" | cut -c1-12; }
MODULE_SUM="$(module_sum)"
now_ms() { echo $(($(date +%s%N) / 1000000)); }

started=$SECONDS
cluster_start          # also registers cluster_stop on EXIT
# Room for a run's WAL without a checkpoint in the middle of it.
cluster_psql -q -c "ALTER SYSTEM SET max_wal_size = '32GB'" -c "SELECT pg_reload_conf()" >/dev/null
cluster_psql -q -c "CREATE DATABASE kp_template"
cluster_psql -q -d kp_template -c "CREATE EXTENSION pg_fk_guard"
cluster_psql -At -d kp_template -c "
  SELECT format('extension: pg_fk_guard %s (module md5 $MODULE_SUM...), %s', extversion, version())
  FROM pg_extension WHERE extname = 'pg_fk_guard'"
cluster_psql -At -c "
  SELECT format('server: %s CPUs; shared_buffers %s, maintenance_work_mem %s, max_parallel_maintenance_workers %s, max_wal_size %s',
                '$(nproc)', current_setting('shared_buffers'), current_setting('maintenance_work_mem'),
                current_setting('max_parallel_maintenance_workers'), current_setting('max_wal_size'))"

build_started=$SECONDS
cluster_psql -q -d kp_template -v rows="$FKG_BENCH_ROWS" <<'SQL'
SET client_min_messages = warning;
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
INSERT INTO users (email) SELECT 'user' || i || '@example.com' FROM generate_series(1, :rows) AS i;
SELECT setval('users_id_seq', :rows) \gset
CREATE TABLE orders_1 (id bigint NOT NULL, user_id integer NOT NULL);
INSERT INTO orders_1 SELECT i, 1 + (i * 7919) % :rows FROM generate_series(1, :rows::bigint) AS i;
CREATE TABLE orders_2 (LIKE orders_1);
INSERT INTO orders_2 SELECT * FROM orders_1;
CREATE TABLE orders_3 (LIKE orders_1);
INSERT INTO orders_3 SELECT * FROM orders_1;
CREATE INDEX ON orders_1 (user_id);
CREATE INDEX ON orders_2 (user_id);
CREATE INDEX ON orders_3 (user_id);
ALTER TABLE orders_1 ADD CONSTRAINT orders_1_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE orders_2 ADD CONSTRAINT orders_2_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE orders_3 ADD CONSTRAINT orders_3_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE;
VACUUM (FREEZE, ANALYZE);
SQL
cluster_psql -q -c "CHECKPOINT"
cluster_psql -At -d kp_template -c "
  SELECT format('build: users %s rows, orders_1..3 %s rows each; %s in all; %s s',
                (SELECT count(*) FROM users), (SELECT count(*) FROM orders_1),
                pg_size_pretty(pg_database_size('kp_template')), $SECONDS - $build_started)"

HAND_SQL="$(cat <<'SQL'
BEGIN;
ALTER TABLE public.orders_1 DROP CONSTRAINT orders_1_user_id_fkey;
ALTER TABLE public.orders_2 DROP CONSTRAINT orders_2_user_id_fkey;
ALTER TABLE public.orders_3 DROP CONSTRAINT orders_3_user_id_fkey;
ALTER TABLE public.users ALTER COLUMN id TYPE bigint;
ALTER TABLE public.orders_1 ALTER COLUMN user_id TYPE bigint;
ALTER TABLE public.orders_2 ALTER COLUMN user_id TYPE bigint;
ALTER TABLE public.orders_3 ALTER COLUMN user_id TYPE bigint;
ALTER SEQUENCE public.users_id_seq AS bigint;
ALTER TABLE public.orders_1 ADD CONSTRAINT orders_1_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) NOT VALID;
ALTER TABLE public.orders_2 ADD CONSTRAINT orders_2_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE public.orders_3 ADD CONSTRAINT orders_3_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) DEFERRABLE NOT VALID;
ALTER TABLE public.orders_1 VALIDATE CONSTRAINT orders_1_user_id_fkey;
ALTER TABLE public.orders_2 VALIDATE CONSTRAINT orders_2_user_id_fkey;
ALTER TABLE public.orders_3 VALIDATE CONSTRAINT orders_3_user_id_fkey;
COMMIT;
SQL
)"
PLAN_SQL="$(cat <<'SQL'
BEGIN;
SELECT fk_guard.change_key_type_plan('public.users', 'id', 'bigint') \gexec
COMMIT;
SQL
)"

# What a run leaves: column types, the sequence's type, every foreign key's
# definition and whether it is validated. Both variants must leave the same.
STATE_SQL="
  SELECT string_agg(x, '; ' ORDER BY x) FROM (
    SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) AS x
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attname IN ('id', 'user_id')
    UNION ALL SELECT 'users_id_seq ' || seqtypid::regtype FROM pg_sequence WHERE seqrelid = 'public.users_id_seq'::regclass
    UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' (not validated)' END
      FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace) s"

RESULTS="$(mktemp)"
STATES="$(mktemp)"
trap 'rm -f "$RESULTS" "$STATES"; cluster_stop' EXIT

# run_one <plan|hand> <round>: times the variant on a fresh copy, records
# "variant round ms" in $RESULTS and what it left in $STATES.
run_one() {
  local variant=$1 round=$2 db="kp_run" t0 t1 before after
  cluster_psql -q -c "CREATE DATABASE $db TEMPLATE kp_template STRATEGY FILE_COPY"
  if [ "$variant" = hand ] && [ "$FKG_BENCH_HAND_PLAIN" = 1 ]; then
    cluster_psql -q -d "$db" -c "DROP EXTENSION pg_fk_guard"
  fi
  cluster_psql -q -c "CHECKPOINT"
  before="$(module_sum)"
  t0=$(now_ms)
  if [ "$variant" = plan ]; then
    cluster_psql -q -d "$db" -o /dev/null <<<"$PLAN_SQL"
  else
    cluster_psql -q -d "$db" -o /dev/null <<<"$HAND_SQL"
  fi
  t1=$(now_ms)
  after="$(module_sum)"
  echo "$variant $round $((t1 - t0))" >>"$RESULTS"
  echo "$variant $(cluster_psql -At -d "$db" -c "$STATE_SQL")" >>"$STATES"
  echo "  round $round $variant: $((t1 - t0)) ms (module md5 $before...)"
  [ "$after" = "$before" ] || echo "  WARNING: $MODULE was reinstalled during this run (md5 $before -> $after)"
  cluster_psql -q -c "DROP DATABASE $db"
}

echo "timing: $FKG_BENCH_RUNS rounds; hand-written runs $([ "$FKG_BENCH_HAND_PLAIN" = 1 ] && echo "without the extension" || echo "with the extension installed")"
for ((round = 1; round <= FKG_BENCH_RUNS; round++)); do
  if ((round % 2 == 1)); then
    run_one plan "$round"
    run_one hand "$round"
  else
    run_one hand "$round"
    run_one plan "$round"
  fi
done

best() { awk -v v="$1" '$1 == v { if (m == "" || $3 < m) m = $3 } END { print m }' "$RESULTS"; }
runs() { awk -v v="$1" '$1 == v { printf "%s%s", s, $3; s = " " } END { print "" }' "$RESULTS"; }
plan_ms="$(best plan)"
hand_ms="$(best hand)"
echo
echo "integer -> bigint on users ($FKG_BENCH_ROWS rows) referenced by 3 tables of $FKG_BENCH_ROWS rows:"
echo "  offline plan (change_key_type_plan \\gexec): best $plan_ms ms; runs (ms): $(runs plan)"
echo "  the same ALTERs by hand:                    best $hand_ms ms; runs (ms): $(runs hand)"
awk -v p="$plan_ms" -v h="$hand_ms" 'BEGIN {
  r = p / h; printf "  ratio plan/hand (best of each): %.3f  (goal <= 1.05: %s)\n", r, (r <= 1.05 ? "met" : "MISSED") }'

# ---- Checks ----
failed=0
if [ "$(cut -d' ' -f2- "$STATES" | sort -u | wc -l)" = 1 ] &&
   ! grep -q "not validated" "$STATES" && grep -q "users.id bigint" "$STATES"; then
  echo "check ok: plan and hand leave the same types and foreign keys, all bigint and validated"
else
  echo "check FAILED: the runs left different states:"
  sort -u "$STATES" | sed 's/^/  /'
  failed=1
fi
cluster_check_log || failed=1
if [ "$(module_sum)" != "$MODULE_SUM" ]; then
  echo "WARNING: $MODULE changed during the run (md5 $MODULE_SUM -> $(module_sum))"
fi
echo "total: $((SECONDS - started)) s"
exit "$failed"
