#!/usr/bin/env bash
# Benchmark: how long a doomed ALTER COLUMN TYPE takes to be refused, with
# and without the migration guard. In a throwaway cluster:
#
#   users     FKG_BENCH_USERS rows, id integer PRIMARY KEY (an ordinary, logged table)
#   sessions  FKG_BENCH_SESSIONS rows, "userId" integer REFERENCES users (id)
#
#   ALTER TABLE users ALTER COLUMN id TYPE uuid USING (lpad(to_hex(id), 32, '0'))::uuid
#
# must fail: PostgreSQL would have to rebuild sessions_userId_fkey, and
# sessions."userId" integer cannot reference uuid. The statement is timed in
# the server (clock_timestamp() around EXECUTE, in a subtransaction that is
# rolled back whatever happens), in one warm session, under:
#   (a) pg_fk_guard.mode = enforce   the guard judges the rebuilt key at ddl_command_start
#   (b) pg_fk_guard.mode = off       the extension is installed, the guard stands aside
#   (c) extension dropped            plain PostgreSQL
# (a) and (b) alternate; (c) runs after DROP EXTENSION. Medians and ratios
# are printed, with who refused (the guard when the error's CONTEXT line
# names pg_fk_guard). For reference, the script also times the same ALTER
# TABLE with the foreign key dropped first (rolled back), i.e. the rewrite
# of users that a refusal after rewriting would cost; and
#   (d) under contention: another session reads users, holding its ACCESS
#       SHARE lock for FKG_BENCH_HOLD_SECONDS; the ALTER TABLE is sent with
#       the guard on and off, and 0.3 s later an application query on users.
# Note: PostgreSQL 15 itself finds the incompatibility before rewriting.
# ALTER TABLE re-adds the dependent foreign key (ATAddForeignKeyConstraint,
# where "cannot be implemented" is raised) during its catalog phase
# (ATRewriteCatalogs), and only afterwards rewrites tables (ATRewriteTables).
# So without the guard the statement still fails in milliseconds when it gets
# its locks at once; the reference line prints the rewrite it does not do.
# What PostgreSQL does first is take ACCESS EXCLUSIVE on users, waiting for
# every open transaction that holds a lock on it, and every later query on users
# waits behind that request. The guard's trigger runs at ddl_command_start,
# before PostgreSQL's own lookup and lock; part (d) shows whether it refuses
# without waiting for that lock (it does not if it takes the lock itself).
# Nothing here asserts on time.
#
# Scale (environment variables, defaults in brackets):
#   FKG_BENCH_USERS          rows in users                                  [5000000]
#   FKG_BENCH_SESSIONS       rows in sessions                               [100000]
#   FKG_BENCH_WARMUPS        untimed attempts per setting                   [1]
#   FKG_BENCH_RUNS           timed attempts per setting; medians reported   [5]
#   FKG_BENCH_HOLD_SECONDS   lock holding time in part (d); 0 skips (d)     [3]
#
# Usage: test/bench/time_to_refusal.sh   (as root or as the cluster user;
# the extension must be installed: make && make install)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/../.." && pwd)"

: "${FKG_BENCH_USERS:=5000000}"
: "${FKG_BENCH_SESSIONS:=100000}"
: "${FKG_BENCH_WARMUPS:=1}"
: "${FKG_BENCH_RUNS:=5}"
: "${FKG_BENCH_HOLD_SECONDS:=3}"

for v in FKG_BENCH_USERS FKG_BENCH_SESSIONS FKG_BENCH_RUNS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "$v must be a positive integer" >&2; exit 2; }
done
for v in FKG_BENCH_WARMUPS FKG_BENCH_HOLD_SECONDS; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "$v must be a non-negative integer" >&2; exit 2; }
done

# A private port, so as not to collide with other test clusters (read by cluster.sh).
# shellcheck disable=SC2034
FKG_PORT=54363
# shellcheck source=../lib/cluster.sh
source "$ROOT_DIR/test/lib/cluster.sh"

STMT="ALTER TABLE users ALTER COLUMN id TYPE uuid USING (lpad(to_hex(id), 32, '0'))::uuid"
FK_NAME='sessions_userId_fkey'

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Sessions load the installed module when they first need it; a rebuild
# installed during the run would mix two builds in the figures.
MODULE="$("$PG_CONFIG" --pkglibdir)/pg_fk_guard.so"
module_sum() { md5sum "$MODULE" | cut -c1-12; }
MODULE_SUM="$(module_sum)"

started=$SECONDS
cluster_start          # also registers cluster_stop on EXIT
cluster_psql -q -c "CREATE EXTENSION pg_fk_guard"
cluster_psql -At -c "SELECT 'extension: pg_fk_guard ' || extversion || ' (module md5 $MODULE_SUM...), ' || version() FROM pg_extension WHERE extname = 'pg_fk_guard'"

build_started=$SECONDS
cluster_psql -q -v users="$FKG_BENCH_USERS" -v sessions="$FKG_BENCH_SESSIONS" -f "$BENCH_DIR/time_to_refusal_setup.sql"
cluster_psql -At -c "
  SELECT format('build: users %s rows (%s with its primary key), sessions %s rows, %s',
                (SELECT count(*) FROM users), pg_size_pretty(pg_total_relation_size('users')),
                (SELECT count(*) FROM sessions),
                (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = '$FK_NAME'))"
echo "  built in $((SECONDS - build_started)) s"
echo "statement: $STMT"

# ---- (a) and (b): one warm session, the settings alternating ----
cluster_psql -q -v stmt="$STMT" -v settings=enforce,off \
  -v warmups="$FKG_BENCH_WARMUPS" -v runs="$FKG_BENCH_RUNS" -f "$BENCH_DIR/time_to_refusal_attempts.sql"

# ---- (d): under contention, guard on and off ----
# A reader holds ACCESS SHARE on users; the ALTER TABLE is sent; 0.3 s later
# an application query on users is sent and its wall time taken.
contended_attempt() {   # contended_attempt <enforce|off>
  local setting=$1 reader alter t0
  cluster_psql -q -At -c "SELECT pg_sleep($FKG_BENCH_HOLD_SECONDS) FROM users WHERE id = 1" >/dev/null &
  reader=$!
  until [ "$(cluster_psql -At -c "SELECT count(*) FROM pg_locks
                                  WHERE relation = 'public.users'::regclass AND mode = 'AccessShareLock'
                                    AND granted AND pid <> pg_backend_pid()")" -gt 0 ]; do
    sleep 0.05
  done
  cluster_psql -q -v stmt="$STMT" -v setting="$setting" <<'SQL' &
SET pg_fk_guard.mode = :setting;
INSERT INTO bench.attempts SELECT :'setting', true, 1, * FROM bench.attempt(:'stmt');
SQL
  alter=$!
  sleep 0.3
  t0=$(now_ms)
  cluster_psql -q -At -c "SELECT email FROM users WHERE id = 2" >/dev/null
  cluster_psql -q -c "INSERT INTO bench.probes VALUES ('$setting', $(($(now_ms) - t0)))"
  wait "$alter"
  wait "$reader"
}
if ((FKG_BENCH_HOLD_SECONDS > 0)); then
  contended_attempt enforce
  contended_attempt off
fi

# ---- (c): plain PostgreSQL, then the reference rewrite ----
cluster_psql -q -c "DROP EXTENSION pg_fk_guard"
cluster_psql -q -v stmt="$STMT" -v settings=none \
  -v warmups="$FKG_BENCH_WARMUPS" -v runs="$FKG_BENCH_RUNS" -f "$BENCH_DIR/time_to_refusal_attempts.sql"
cluster_psql -q -v stmt="$STMT" -v fk="$FK_NAME" <<'SQL'
CHECKPOINT;
INSERT INTO bench.rewrites SELECT * FROM bench.time_rewrite(:'stmt', :'fk');
SQL

echo
cluster_psql -q -v hold_seconds="$FKG_BENCH_HOLD_SECONDS" -f "$BENCH_DIR/time_to_refusal_report.sql"
# Nothing changed: every attempt was refused or rolled back.
cluster_psql -At -c "
  SELECT format('after: users.id is %s, %s rows; %s', format_type(atttypid, atttypmod), (SELECT count(*) FROM users),
                (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = '$FK_NAME'))
  FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'id'"

cluster_check_log
if [ "$(module_sum)" != "$MODULE_SUM" ]; then
  echo "WARNING: $MODULE changed during the run (md5 $MODULE_SUM -> $(module_sum)): the figures mix two builds"
fi
cluster_stop
echo "total: $((SECONDS - started)) s"
