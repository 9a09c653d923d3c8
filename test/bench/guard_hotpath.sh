#!/usr/bin/env bash
# Benchmark: what the migration guard costs DDL run the ways users run it,
# guard on (pg_fk_guard.mode = enforce) against guard off (mode = off) in the
# SAME database, so that the only difference is the guard's work (with off
# the event triggers still fire and return at once).
#
# Rows (each the best of FKG_BENCH_RUNS runs per mode, the modes alternating):
#   create_plain  N x CREATE TABLE without keys, one transaction
#   create_ref    N x CREATE TABLE ... REFERENCES, one transaction
#   add_fk        N x ALTER TABLE ... ADD FOREIGN KEY, one transaction (how
#                 Rails, Django and Prisma run a migration)
#   tenant_<C>    pgbench, C clients, each transaction: BEGIN; CREATE TABLE
#                 t (... REFERENCES parent_a ...); ALTER TABLE t ADD FOREIGN
#                 KEY (b) REFERENCES parent_b; DROP TABLE t; COMMIT
#                 (guard_hotpath_tenant.sql), for FKG_BENCH_CLIENTS clients
#                 and for 1 client
#   tenant_paired_<C>  the pgbench row run in two twin databases AT THE SAME
#                 TIME (hotpath with enforce, hotpath_twin, a copy made
#                 before any run, with off), C clients each: both modes get
#                 the same moments of a loaded machine, which the sequential
#                 rows cannot promise; each run gives one ratio, and the
#                 median of FKG_BENCH_RUNS is reported, with every run's
#                 (with 8 clients they agree within a few percent at a
#                 load of 13; with 1 client each, the scheduler may favour
#                 either process for a whole run)
#   tenant_serial the same transaction FKG_BENCH_TENANT_SERIAL times in one
#                 session in the server (hp_bench.tenant), timed like the
#                 one-transaction rows (wall and CPU)
# The one-transaction rows are timed in the server (hp_bench.run in
# guard_hotpath_setup.sql: clock_timestamp() around the EXECUTEs, then
# ROLLBACK), so no client round trip dilutes the guard's share; their ratio
# is guarded time / plain time, by wall clock and by the backend's CPU time
# (/proc/self/schedstat), which waiting for a CPU on a loaded machine does
# not inflate. The pgbench rows give tps; their ratio is plain tps / guarded
# tps. All read "how many times slower with the guard".
#
# The server: a PRIVATE copy of the installed PostgreSQL (pg_config's
# bindir's parent, pkglibdir, sharedir) with this tree's module installed
# into it (make install DESTDIR=...), as test/mutation/run.py builds it, so
# nothing is written to the shared installation and no install lock is held.
# Its data directory (tables and WAL) lives on tmpfs (/dev/shm), so that file
# creation and fsync do not hide CPU cost; autovacuum is off and every run
# starts after a VACUUM, so that catalog bloat from earlier runs falls on both
# modes alike. Each figure is printed with the load average (uptime) at its
# end: on a shared machine, read the ratios with it.
#
# Environment (defaults in brackets):
#   FKG_BENCH_PORT        port of the private server            [54440]
#   FKG_BENCH_STATEMENTS  statements per one-transaction run    [400]
#   FKG_BENCH_RUNS        runs per mode and row (best is kept)  [3]
#   FKG_BENCH_SECONDS     length of one pgbench run             [10]
#   FKG_BENCH_CLIENTS     clients of the concurrent row         [8]
#   FKG_BENCH_TENANT_SERIAL  transactions of tenant_serial      [300]
#   FKG_BENCH_ROWS        rows to run (names above; tenant = both pgbench rows)
#                         [create_plain create_ref add_fk tenant_serial tenant tenant_paired]
#   FKG_BENCH_KEEP=1      keep the private server's directory
# Usage: test/bench/guard_hotpath.sh   (after make; as root or as the cluster user)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/../.." && pwd)"

: "${PG_CONFIG:=pg_config}"
: "${FKG_BENCH_PORT:=54440}"
: "${FKG_BENCH_STATEMENTS:=400}"
: "${FKG_BENCH_RUNS:=3}"
: "${FKG_BENCH_SECONDS:=10}"
: "${FKG_BENCH_CLIENTS:=8}"
: "${FKG_BENCH_TENANT_SERIAL:=300}"
: "${FKG_BENCH_ROWS:=create_plain create_ref add_fk tenant_serial tenant tenant_paired}"
: "${FKG_CLUSTER_USER:=postgres}"
for v in FKG_BENCH_PORT FKG_BENCH_STATEMENTS FKG_BENCH_RUNS FKG_BENCH_SECONDS FKG_BENCH_CLIENTS FKG_BENCH_TENANT_SERIAL; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "$v must be a positive integer" >&2; exit 2; }
done
[ -d /dev/shm ] || { echo "no /dev/shm (tmpfs) on this machine" >&2; exit 2; }

as_user() { if [ "$(id -u)" = 0 ]; then runuser -u "$FKG_CLUSTER_USER" -- "$@"; else "$@"; fi; }

started=$SECONDS
W="$(mktemp -d /dev/shm/pg_fk_guard_hotpath.XXXXXX)"
chmod 755 "$W"
PRIVATE_PG="$W/pg"
BINDIR="$("$PG_CONFIG" --bindir)"
DATA="$W/data"
cleanup() {
  if [ -f "$DATA/postmaster.pid" ]; then as_user "$PRIVATE_PG$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true; fi
  if [ "${FKG_BENCH_KEEP:-}" = 1 ]; then echo "kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT

# ---- The private server ----
for d in "$(dirname "$BINDIR")" "$("$PG_CONFIG" --pkglibdir)" "$("$PG_CONFIG" --sharedir)"; do
  [ -e "$PRIVATE_PG$d" ] && continue
  mkdir -p "$(dirname "$PRIVATE_PG$d")"
  cp -a "$d" "$PRIVATE_PG$d"
done
make -s -C "$ROOT_DIR" install DESTDIR="$PRIVATE_PG" PG_CONFIG="$PG_CONFIG" >"$W/install.log" 2>&1 ||
  { cat "$W/install.log"; exit 1; }
MODULE="$PRIVATE_PG$("$PG_CONFIG" --pkglibdir)/pg_fk_guard.so"
[ "$(id -u)" = 0 ] && chown "$FKG_CLUSTER_USER" "$W"
as_user "$PRIVATE_PG$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 \
  >"$W/initdb.log" 2>&1 || { cat "$W/initdb.log"; exit 1; }
cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$W'
port = $FKG_BENCH_PORT
fsync = off
synchronous_commit = off
autovacuum = off
max_connections = 40
max_locks_per_transaction = 256
log_min_messages = warning
CONF
as_user "$PRIVATE_PG$BINDIR/pg_ctl" -D "$DATA" -l "$W/server.log" -w start >/dev/null ||
  { cat "$W/server.log"; exit 1; }
export PGHOST="$W" PGPORT="$FKG_BENCH_PORT" PGUSER=postgres PGDATABASE=hotpath
psql() { "$PRIVATE_PG$BINDIR/psql" -X -v ON_ERROR_STOP=1 "$@"; }
pgbench() { "$PRIVATE_PG$BINDIR/pgbench" "$@"; }
psql -q -d postgres -c "CREATE DATABASE hotpath"
psql -q -v statements="$FKG_BENCH_STATEMENTS" -f "$BENCH_DIR/guard_hotpath_setup.sql" >/dev/null
psql -q -d postgres -c "CREATE DATABASE hotpath_twin TEMPLATE hotpath"
echo "server: private copy in $W (data directory and WAL on $(df --output=fstype "$W" | tail -1)), $(psql -At -c "SELECT version()" | cut -d, -f1)"
echo "module: $(md5sum "$MODULE" | cut -c1-12) built from $(git -C "$ROOT_DIR" describe --always --dirty 2>/dev/null || echo '?')"
# The guard is at work: an incompatible key is refused by pg_fk_guard.
probe="$(psql -c "CREATE TABLE hp.probe (p uuid REFERENCES hp.parent_a (id))" 2>&1 || true)"
grep -q "CONTEXT:  pg_fk_guard" <<<"$probe" ||
  { echo "the guard did not refuse an incompatible key; nothing to measure:"; echo "$probe"; exit 1; }

load() { uptime | sed 's/.*load average: //'; }
RESULTS="$W/results.tsv"
: >"$RESULTS"
# Each session sets the mode and loads the module before anything is timed.
options() { echo "-c pg_fk_guard.mode=$1 -c client_min_messages=warning"; }

one_transaction() {   # one_transaction <row> <mode> <run>
  psql -q -d hotpath -c "VACUUM" >/dev/null
  local out ms cpu call="CALL hp_bench.run('$1', $FKG_BENCH_STATEMENTS)"
  [ "$1" = tenant_serial ] && call="CALL hp_bench.tenant($FKG_BENCH_TENANT_SERIAL)"
  out="$(PGOPTIONS="$(options "$2")" psql -q -At -F ' ' -c "LOAD 'pg_fk_guard'" -c "$call")"
  read -r ms cpu <<<"$out"
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$ms" "$(load)" >>"$RESULTS"
  printf '%s\t%s\t%s\t%s\t%s\n' "$1_cpu" "$2" "$3" "$cpu" "$(load)" >>"$RESULTS"
  printf '  %-12s %-8s run %s: %9.1f ms, CPU %9.1f ms   (load %s)\n' "$1" "$2" "$3" "$ms" "$cpu" "$(load)"
}

tenant() {   # tenant <clients> <mode> <run>
  psql -q -d hotpath -c "VACUUM" >/dev/null
  local out tps
  out="$(PGOPTIONS="$(options "$2")" pgbench -n -M simple -c "$1" -j "$1" -T "$FKG_BENCH_SECONDS" \
           -f "$BENCH_DIR/guard_hotpath_tenant.sql" hotpath 2>&1)" || { echo "$out"; exit 1; }
  tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -1)"
  grep -q "number of failed transactions: 0 " <<<"$out" || ! grep -q "number of failed transactions" <<<"$out" ||
    { echo "$out"; exit 1; }
  printf '%s\t%s\t%s\t%s\t%s\n' "tenant_$1" "$2" "$3" "$tps" "$(load)" >>"$RESULTS"
  printf '  %-12s %-8s run %s: %9.1f tps  (load %s)\n' "tenant_$1" "$2" "$3" "$tps" "$(load)"
}

# Both modes at once, in twin databases: tenant_paired <clients> <run>.
tenant_paired() {
  psql -q -d hotpath -c "VACUUM" >/dev/null
  psql -q -d hotpath_twin -c "VACUUM" >/dev/null
  local args=(-n -M simple -c "$1" -j "$1" -T "$FKG_BENCH_SECONDS" -f "$BENCH_DIR/guard_hotpath_tenant.sql")
  PGOPTIONS="$(options enforce)" pgbench "${args[@]}" hotpath >"$W/paired_enforce.out" 2>&1 &
  local pid_enforce=$!
  PGOPTIONS="$(options off)" pgbench "${args[@]}" hotpath_twin >"$W/paired_off.out" 2>&1 &
  local pid_off=$!
  wait "$pid_enforce" || { cat "$W/paired_enforce.out"; exit 1; }
  wait "$pid_off" || { cat "$W/paired_off.out"; exit 1; }
  local g p
  g="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$W/paired_enforce.out" | head -1)"
  p="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$W/paired_off.out" | head -1)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "tenant_paired_$1" paired "$2" "$p" "$g" "$(load)" >>"$RESULTS.paired"
  printf '  %-17s run %s: plain %7.1f tps, guarded %7.1f tps at the same time: %5.3f  (load %s)\n' \
    "tenant_paired_$1" "$2" "$p" "$g" "$(awk -v p="$p" -v g="$g" 'BEGIN { print p / g }')" "$(load)"
}

echo "runs: best of $FKG_BENCH_RUNS per mode; one-transaction rows $FKG_BENCH_STATEMENTS statements;" \
     "pgbench $FKG_BENCH_SECONDS s per run; load average at start: $(load)"
for row in $FKG_BENCH_ROWS; do
  if [ "$row" = tenant_paired ]; then
    for ((run = 1; run <= FKG_BENCH_RUNS; run++)); do
      tenant_paired "$FKG_BENCH_CLIENTS" "$run"
      tenant_paired 1 "$run"
    done
    continue
  fi
  for ((run = 1; run <= FKG_BENCH_RUNS; run++)); do
    if ((run % 2)); then modes=(off enforce); else modes=(enforce off); fi
    for mode in "${modes[@]}"; do
      case "$row" in
        tenant)
          tenant "$FKG_BENCH_CLIENTS" "$mode" "$run"
          tenant 1 "$mode" "$run"
          ;;
        create_plain | create_ref | add_fk | tenant_serial) one_transaction "$row" "$mode" "$run" ;;
        *) echo "unknown row $row" >&2; exit 2 ;;
      esac
    done
  done
done

if grep -E "terminated by signal|server process .* was terminated|PANIC" "$W/server.log"; then
  echo "server log shows a crash" >&2
  exit 1
fi

# ---- The ratios: best run per mode ----
echo
echo "guarded / plain (best of $FKG_BENCH_RUNS; > 1 means the guard costs that much):"
awk -F'\t' -v n="$FKG_BENCH_STATEMENTS" -v nt="$FKG_BENCH_TENANT_SERIAL" '
  { key = $1 SUBSEP $2
    tps = ($1 ~ /^tenant_[0-9]+$/)
    if (!(key in best) || (tps ? $4 > best[key] : $4 < best[key])) { best[key] = $4; at[key] = $5 }
    if (!($1 in seen)) { seen[$1] = 1; order[++rows] = $1 } }
  END {
    for (i = 1; i <= rows; i++) {
      r = order[i]; g = best[r SUBSEP "enforce"]; p = best[r SUBSEP "off"]
      if (r ~ /^tenant_[0-9]+$/) {
        printf "  %-18s %5.3f   plain %8.1f tps, guarded %8.1f tps  (load at best runs: %s / %s)\n", r, p / g, p, g, at[r SUBSEP "off"], at[r SUBSEP "enforce"]
      } else {
        per = (r ~ /^tenant_serial/) ? nt : n
        printf "  %-18s %5.3f   plain %8.1f ms, guarded %8.1f ms, %+6.1f us/%s  (load at best runs: %s / %s)\n", r (r ~ /_cpu$/ ? "" : "_wall"), g / p, p, g, 1000 * (g - p) / per, (r ~ /^tenant_serial/) ? "transaction" : "statement", at[r SUBSEP "off"], at[r SUBSEP "enforce"]
      }
    }
  }' "$RESULTS"
# The same rows read another way: each run times the two modes back to back,
# so a run's own ratio compares moments of the machine a few hundred ms
# apart; the median of those ratios is steadier than the best runs when
# other work comes and goes on the machine.
echo "guarded / plain, median of the $FKG_BENCH_RUNS runs' own ratios (modes timed back to back in each run):"
awk -F'\t' '
  $1 !~ /^tenant_[0-9]+$/ { v[$1, $2, $3] = $4; if (!($1 in seen)) { seen[$1] = 1; order[++rows] = $1 }
                            if ($3 > runs) runs = $3 }
  END {
    for (i = 1; i <= rows; i++) {
      r = order[i]; m = 0; all = ""
      for (k = 1; k <= runs; k++)
        if (((r, "enforce", k) in v) && ((r, "off", k) in v) && v[r, "off", k] > 0) {
          q[++m] = v[r, "enforce", k] / v[r, "off", k]; all = all sprintf(" %.3f", q[m]) }
      if (m == 0) continue
      for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (q[b] < q[a]) { t = q[a]; q[a] = q[b]; q[b] = t }
      med = (m % 2) ? q[(m + 1) / 2] : (q[m / 2] + q[m / 2 + 1]) / 2
      printf "  %-18s %5.3f   runs:%s\n", r (r ~ /_cpu$/ ? "" : "_wall"), med, all
    }
  }' "$RESULTS"
if [ -s "$RESULTS.paired" ]; then
  echo "at the same time in twin databases, plain tps / guarded tps (median of $FKG_BENCH_RUNS):"
  sort -t$'\t' -k1,1 -s "$RESULTS.paired" | awk -F'\t' '
    { k = $1; c[k]++; r[k, c[k]] = $4 / $5; all[k] = all[k] sprintf(" %.3f (%.1f/%.1f tps, load %s)", $4 / $5, $4, $5, $6)
      if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
    END { for (i = 1; i <= n; i++) { k = order[i]; m = c[k]
      for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (r[k, b] < r[k, a]) { t = r[k, a]; r[k, a] = r[k, b]; r[k, b] = t }
      med = (m % 2) ? r[k, (m + 1) / 2] : (r[k, m / 2] + r[k, m / 2 + 1]) / 2
      printf "  %-18s %5.3f   runs:%s\n", k, med, all[k] } }'
fi
echo "total: $((SECONDS - started)) s"
