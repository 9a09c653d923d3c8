#!/usr/bin/env bash
# Benchmark: what the migration guard costs a migration. The same generated
# migrations run in a database with the extension (its event triggers fire on
# every CREATE TABLE / ALTER TABLE) and in one without it, in one throwaway
# cluster, in the same run.
#
# Workloads (guard_workloads.sql writes them):
#   fk   CREATE TABLE parents/children with inline REFERENCES and ALTER TABLE
#        ... ADD FOREIGN KEY; most keys match exactly, one group of tables in
#        FKG_BENCH_MISMATCH_EVERY has soft mismatches (integer -> bigint,
#        varchar(36) -> text, bigint -> integer, text -> varchar(20)). Timed
#        under two settings, so that message output does not dominate:
#          fk_ignore  pg_fk_guard.soft_mismatches = ignore (the guard judges
#                     every key, says nothing, and its ddl_command_end check
#                     returns at once)
#          fk_warn    the default policy (warn) with client_min_messages =
#                     error: the guard builds every WARNING/NOTICE and runs its
#                     end-of-statement check; the client receives nothing
#                     (the server log still gets the WARNINGs, as by default)
#   ddl  CREATE TABLE, ALTER TABLE ... ADD COLUMN, CREATE INDEX; no foreign key
#        (the guard's trigger fires on the first two and returns after one
#        parse-tree walk; CREATE INDEX does not fire it)
#
# Each run gets a fresh database (CREATE DATABASE from a template with or
# without the extension, then CHECKPOINT; neither is timed), so every run
# starts from the same catalog. By default the run databases live in a
# tablespace on tmpfs (/dev/shm): creating a table creates files, and on this
# kind of virtual disk that makes a CREATE TABLE 2-3 times slower and the
# runs vary by +-20 %, which hides a cost of a few percent. The guard's cost
# is CPU time in the backend, the same on either storage; against the faster
# tmpfs baseline its percentage is the larger (least favourable) one.
# FKG_BENCH_STORAGE=disk keeps everything in the cluster's data directory.
#
# Two ways of timing, both in every repetition:
#   client     wall time of one `psql -f <migration>.sql` (connection, psql,
#              one round trip per statement, each statement its own
#              transaction), as a migration tool sees it; the database with
#              the extension and the one without run one after the other
#   in-server  CALL bench_tools.run(): clock_timestamp() around a loop of
#              EXECUTE + COMMIT per statement, without the client. The two
#              databases run side by side in chunks of FKG_BENCH_CHUNK
#              statements, each chunk in one database then in the other, so
#              that a busy moment of the host (other processes on a shared
#              machine) falls on both alike; a run's time is the sum of its
#              chunks. Each chunk has its own connection, which is not timed;
#              it LOADs the module first (in both databases, harmless in the
#              plain one), so that a session's one-time load of the module is
#              not counted once per chunk
# Repetitions alternate which database goes first; medians are reported, with
# the range of the overhead computed per repetition (the guarded run against
# the plain run of the same repetition). The report names the method whose
# per-repetition overhead moves least (narrower range in more of the
# workloads) and gives the headline figures by it; on this shared 2-CPU
# virtual machine that has been in-server, by far.
# Nothing here asserts on time.
#
# Scale (environment variables, defaults in brackets):
#   FKG_BENCH_STATEMENTS      statements in the foreign-key migration        [2000]
#   FKG_BENCH_DDL_STATEMENTS  statements in the migration without FKs        [2000]
#   FKG_BENCH_MISMATCH_EVERY  one group of tables in this many is soft-mismatched [5]
#   FKG_BENCH_WARMUPS         untimed warm-up repetitions                    [1]
#   FKG_BENCH_RUNS            timed repetitions; medians are reported        [7]
#   FKG_BENCH_CHUNK           in-server timing: statements per chunk         [100]
#   FKG_BENCH_STORAGE         tmpfs (run databases in a tablespace in /dev/shm) or disk [tmpfs]
#
# Usage: test/bench/guard_overhead.sh   (as root or as the cluster user;
# the extension must be installed: make && make install)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/../.." && pwd)"

: "${FKG_BENCH_STATEMENTS:=2000}"
: "${FKG_BENCH_DDL_STATEMENTS:=2000}"
: "${FKG_BENCH_MISMATCH_EVERY:=5}"
: "${FKG_BENCH_WARMUPS:=1}"
: "${FKG_BENCH_RUNS:=7}"
: "${FKG_BENCH_CHUNK:=100}"
: "${FKG_BENCH_STORAGE:=tmpfs}"

for v in FKG_BENCH_STATEMENTS FKG_BENCH_DDL_STATEMENTS FKG_BENCH_MISMATCH_EVERY FKG_BENCH_RUNS FKG_BENCH_CHUNK; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "$v must be a positive integer" >&2; exit 2; }
done
[[ "$FKG_BENCH_WARMUPS" =~ ^[0-9]+$ ]] || { echo "FKG_BENCH_WARMUPS must be a non-negative integer" >&2; exit 2; }
[[ "$FKG_BENCH_STORAGE" =~ ^(tmpfs|disk)$ ]] || { echo "FKG_BENCH_STORAGE must be tmpfs or disk" >&2; exit 2; }
[ "$FKG_BENCH_STORAGE" = disk ] || [ -d /dev/shm ] || { echo "no /dev/shm: use FKG_BENCH_STORAGE=disk" >&2; exit 2; }

# A private port, so as not to collide with other test clusters (read by cluster.sh).
# shellcheck disable=SC2034
FKG_PORT=54362
# shellcheck source=../lib/cluster.sh
source "$ROOT_DIR/test/lib/cluster.sh"

# Session settings per timed workload (PGOPTIONS; the same for both
# databases: in the one without the extension pg_fk_guard.* is an inert
# placeholder). client_min_messages = warning hides psql's NOTICEs.
declare -A WORKLOAD_OPTIONS=(
  [fk_ignore]="-c client_min_messages=warning -c pg_fk_guard.soft_mismatches=ignore"
  [fk_warn]="-c client_min_messages=error"
  [ddl]="-c client_min_messages=warning"
)
WORKLOADS=(fk_ignore fk_warn ddl)
# The generated migration each timed workload runs.
migration_of() { [ "$1" = ddl ] && echo ddl || echo fk; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Sessions load the installed module when they first need it; a rebuild
# installed during the run would mix two builds in the figures.
MODULE="$("$PG_CONFIG" --pkglibdir)/pg_fk_guard.so"
module_sum() { md5sum "$MODULE" | cut -c1-12; }
MODULE_SUM="$(module_sum)"

started=$SECONDS
cluster_start
WORK="$FKG_CLUSTER_DIR/work"   # readable by the server (pg_read_file in the setup)
mkdir -p "$WORK"
chmod 755 "$WORK"

# Where the run databases live.
TS_DIR=""
TABLESPACE=pg_default
bench_cleanup() {
  cluster_stop
  if [ -n "$TS_DIR" ]; then rm -rf "$TS_DIR"; fi
}
trap bench_cleanup EXIT   # replaces cluster_start's trap, and calls it
if [ "$FKG_BENCH_STORAGE" = tmpfs ]; then
  TS_DIR="$(mktemp -d /dev/shm/pg_fk_guard_bench.XXXXXX)"
  [ "$(id -u)" = 0 ] && chown "$FKG_CLUSTER_USER" "$TS_DIR"
  cluster_psql -q -c "CREATE TABLESPACE bench_tmpfs LOCATION '$TS_DIR'"
  TABLESPACE=bench_tmpfs
fi
echo "storage: run databases in tablespace $TABLESPACE${TS_DIR:+ ($TS_DIR, tmpfs)}; WAL in the data directory on $(df --output=fstype "$FKG_CLUSTER_DIR" | tail -1)"

# The migrations, one statement per line.
cluster_psql -q -At -v workload=fk -v statements="$FKG_BENCH_STATEMENTS" \
  -v mismatch_every="$FKG_BENCH_MISMATCH_EVERY" -f "$BENCH_DIR/guard_workloads.sql" -o "$WORK/fk.sql"
cluster_psql -q -At -v workload=ddl -v statements="$FKG_BENCH_DDL_STATEMENTS" \
  -v mismatch_every="$FKG_BENCH_MISMATCH_EVERY" -f "$BENCH_DIR/guard_workloads.sql" -o "$WORK/ddl.sql"
chmod 644 "$WORK"/*.sql

# Two templates, identical but for the extension.
for db in guarded plain; do
  cluster_psql -q -c "CREATE DATABASE tmpl_$db"
  cluster_psql -q -d "tmpl_$db" -v fk_file="$WORK/fk.sql" -v ddl_file="$WORK/ddl.sql" \
    -f "$BENCH_DIR/guard_overhead_setup.sql"
done
cluster_psql -q -d tmpl_guarded -c "CREATE EXTENSION pg_fk_guard"
cluster_psql -At -d tmpl_guarded -c "SELECT 'extension: pg_fk_guard ' || extversion || ' (module md5 $MODULE_SUM...), ' || version() FROM pg_extension WHERE extname = 'pg_fk_guard'"

fresh_db() {   # fresh_db <guarded|plain>: run_<kind> from its template, then a checkpoint
  cluster_psql -q -c "CREATE DATABASE run_$1 TEMPLATE tmpl_$1 TABLESPACE $TABLESPACE" -c "CHECKPOINT"
}
drop_db() { cluster_psql -q -c "DROP DATABASE run_$1"; }

# ---- What the foreign-key migration holds, and proof that the guard is at work ----
# An untimed run in a guarded database with the default settings: the
# guard's messages are counted, the result read from the catalog.
fresh_db guarded
cluster_psql -q -v SHOW_CONTEXT=always -d run_guarded -f "$WORK/fk.sql" >/dev/null 2>"$WORK/messages.txt"
echo "fk migration: $FKG_BENCH_STATEMENTS statements; $(cluster_psql -At -d run_guarded -c "
  SELECT format('%s tables, %s foreign keys, %s of them across types',
           (SELECT count(*) FROM pg_class WHERE relnamespace = 'mig'::regnamespace AND relkind = 'r'),
           count(*),
           count(*) FILTER (WHERE EXISTS (
             SELECT FROM unnest(con.conkey, con.confkey) AS k(fk, pk)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.fk
             JOIN pg_attribute b ON b.attrelid = con.confrelid AND b.attnum = k.pk
             WHERE (a.atttypid, a.atttypmod) IS DISTINCT FROM (b.atttypid, b.atttypmod))))
  FROM pg_constraint con WHERE con.contype = 'f' AND con.connamespace = 'mig'::regnamespace")"
echo "  with the default settings the guard says: $(grep -c '^psql:.*WARNING:' "$WORK/messages.txt" || true) WARNINGs," \
     "$(grep -c '^psql:.*NOTICE:' "$WORK/messages.txt" || true) NOTICEs" \
     "($(grep -c 'CONTEXT:  pg_fk_guard' "$WORK/messages.txt" || true) with pg_fk_guard's CONTEXT line)"
# An incompatible key must be refused by the guard, not by PostgreSQL.
probe="$(cluster_psql -d run_guarded -c "CREATE TABLE mig.probe (p uuid REFERENCES mig.parent_0 (id))" 2>&1 || true)"
if grep -q "CONTEXT:  pg_fk_guard" <<<"$probe"; then
  echo "  guard active: an incompatible key (uuid -> bigint) is refused by pg_fk_guard"
else
  echo "  WARNING: the guard did not refuse an incompatible key; the figures below do not measure it:"
  while IFS= read -r line; do echo "    $line"; done <<<"$probe"
fi
drop_db guarded
echo "ddl migration: $FKG_BENCH_DDL_STATEMENTS statements (CREATE TABLE, ADD COLUMN x2, CREATE INDEX in turn)"

# ---- Timed runs ----
# Both methods write one line per timed piece to $RESULTS: workload, method,
# database, repetition, piece, ms. The report adds up the pieces of a run.
echo "timing: $FKG_BENCH_WARMUPS warm-up + $FKG_BENCH_RUNS timed repetitions of every workload, each timed both ways"
RESULTS="$WORK/times.tsv"
: >"$RESULTS"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

# Client-side: one psql -f of the whole migration per database, the two
# databases one after the other, in the given order.
time_client() {   # time_client <workload> <rep> <first db> <second db>
  local workload=$1 rep=$2 db t0 ms
  for db in "$3" "$4"; do
    fresh_db "$db"
    t0=$(now_ms)
    PGOPTIONS="${WORKLOAD_OPTIONS[$workload]}" \
      cluster_psql -q -d "run_$db" -f "$WORK/$(migration_of "$workload").sql" >/dev/null
    ms=$(($(now_ms) - t0))
    drop_db "$db"
    record "$workload" client "$db" "$rep" 1 "$ms"
  done
}

# In-server: both databases side by side, the migration in chunks of
# FKG_BENCH_CHUNK statements, each chunk run in one database and then in
# the other (the first alternating from chunk to chunk), so that the host's
# slower and faster seconds fall on both alike.
time_server() {   # time_server <workload> <rep> <first db> <second db>
  local workload=$1 rep=$2 migration chunk=0 first last db ms pair
  migration="$(migration_of "$workload")"
  local total=$FKG_BENCH_STATEMENTS
  [ "$migration" = ddl ] && total=$FKG_BENCH_DDL_STATEMENTS
  fresh_db "$3"
  fresh_db "$4"
  for ((first = 1; first <= total; first += FKG_BENCH_CHUNK)); do
    last=$((first + FKG_BENCH_CHUNK - 1))
    chunk=$((chunk + 1))
    if ((chunk % 2)); then pair=("$3" "$4"); else pair=("$4" "$3"); fi
    for db in "${pair[@]}"; do
      ms="$(PGOPTIONS="${WORKLOAD_OPTIONS[$workload]}" cluster_psql -q -At -d "run_$db" \
              -c "LOAD 'pg_fk_guard'" -c "CALL bench_tools.run('$migration', $first, $last)")"
      record "$workload" server "$db" "$rep" "$chunk" "$ms"
    done
  done
  drop_db "$3"
  drop_db "$4"
}

for ((rep = 1 - FKG_BENCH_WARMUPS; rep <= FKG_BENCH_RUNS; rep++)); do   # rep <= 0: warm-up
  if ((rep % 2)); then order=(guarded plain); else order=(plain guarded); fi
  for workload in "${WORKLOADS[@]}"; do
    time_client "$workload" "$rep" "${order[@]}"
    time_server "$workload" "$rep" "${order[@]}"
  done
  if ((rep > 0)); then echo "  repetition $rep of $FKG_BENCH_RUNS done ($((SECONDS - started)) s)"; fi
done

echo
cluster_psql -q -v statements_fk="$FKG_BENCH_STATEMENTS" -v statements_ddl="$FKG_BENCH_DDL_STATEMENTS" \
  -f "$BENCH_DIR/guard_overhead_report.sql" <"$RESULTS"

cluster_check_log
if [ "$(module_sum)" != "$MODULE_SUM" ]; then
  echo "WARNING: $MODULE changed during the run (md5 $MODULE_SUM -> $(module_sum)): the figures mix two builds"
fi
bench_cleanup
echo "total: $((SECONDS - started)) s"
