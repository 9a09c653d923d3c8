#!/usr/bin/env bash
# The Citus suite: pg_fk_guard on a Citus cluster (a coordinator and two
# workers, three throwaway clusters on 127.0.0.1, test/citus/cluster.sh).
# Builds and installs Citus 13.2.2 from its source tarball in the directory
# FKG_CITUS_SRC names (citus-13.2.2.tar.gz and the patch build_citus.sh
# applies) when the install does not have it yet (test/citus/build_citus.sh);
# without that source it skips with a message. Citus is not in Debian, so the
# source comes from wherever the machine keeps it; .ci/run sets the path. Assumes pg_fk_guard is built
# and installed.
#
# Runs the pg_regress tests of test/citus/sql against the coordinator
# (--use-existing), then test/citus/log_checks.sh, which counts the guard's
# messages per statement in the client's output and in each node's server log,
# then the npm package's guard against the extension on the same statements
# (clients/node/test/citus.test.js), then the TAP tests of test/citus/t (PostgreSQL::Test::Cluster, through
# test/run_tap.sh), which start a coordinator and two workers of their own.
# Last line: "citus: N passed, N failed".
#
# Ports: FKG_CITUS_PORT (coordinator, default 54380) and the next two (workers);
# the TAP tests' cluster FKG_CITUS_TAP_PORT (default FKG_CITUS_PORT + 10) and the next two.
# FKG_CITUS_KEEP=1 leaves the three nodes running afterwards (to look around).
set -uo pipefail
cd "$(dirname "$0")/.."
: "${PG_CONFIG:=pg_config}"
: "${FKG_CITUS_PORT:=54380}"
export PG_CONFIG
PGXS_SRC="$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")"
PG_REGRESS="$PGXS_SRC/test/regress/pg_regress"
DB=fkg_citus
out="$(pwd)/build/citus-test"
started=$(date +%s)

test/citus/build_citus.sh
rc=$?
if [ $rc -eq 2 ]; then
  echo "citus: skipped, no Citus source (set FKG_CITUS_SRC to the directory holding citus-13.2.2.tar.gz)"
  echo "citus: 0 passed, 0 failed"
  exit 0
elif [ $rc -ne 0 ]; then
  echo "citus: 0 passed, 1 failed"
  exit 1
fi

rm -rf "$out"
mkdir -p "$out"
export CITUS_LOG_DIR="$out"
source test/citus/cluster.sh
# Two more databases for the npm package's guard (citus.test.js): Citus in
# both, pg_fk_guard in the first only.
NPM_DBS=fkg_citus_npm_ext,fkg_citus_npm_plain
citus_cluster_start "$FKG_CITUS_PORT" "$DB" ${NPM_DBS//,/ } || { echo "citus: 0 passed, 1 failed"; exit 1; }
citus_psql coordinator fkg_citus_npm_ext -c "CREATE EXTENSION pg_fk_guard" >/dev/null ||
  { echo "citus: 0 passed, 1 failed"; exit 1; }
echo "citus: coordinator on $(citus_port coordinator), workers on $(citus_port worker1) and $(citus_port worker2)" \
  "($(($(date +%s) - started)) s with the build check)"

passed=0
failed=0

# pg_regress against the coordinator.
tests=$(cd test/citus/sql && ls *.sql | sed 's/\.sql$//' | sort | tr '\n' ' ')
"$PG_REGRESS" --use-existing --dbname="$DB" --host="$CITUS_WORK" --port="$(citus_port coordinator)" --user=postgres \
  --inputdir=test/citus --outputdir="$out/regress" --bindir="$CITUS_BINDIR" $tests >"$out/regress.log" 2>&1
grep -E "^(test |ok |not ok )" "$out/regress.log"
p=$(grep -cE "^(test |ok ).*\.\.\. ok|^ok " "$out/regress.log")
f=$(grep -cE "\.\.\. FAILED|^not ok " "$out/regress.log")
if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
  cat "$out/regress.log"
  f=1
fi
if [ "$f" -gt 0 ] && [ -f "$out/regress/regression.diffs" ]; then
  echo "---- regression.diffs ----"
  cat "$out/regress/regression.diffs"
fi
passed=$((passed + p)); failed=$((failed + f))

# Messages per statement on the client and in each node's log.
source test/citus/log_checks.sh
citus_log_checks "$DB" | tee "$out/log_checks.log"
read -r p f < <(sed -nE 's/^log checks: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$out/log_checks.log")
: "${p:=0}" "${f:=1}"
passed=$((passed + p)); failed=$((failed + f))

# The npm package pg-fk-guard on the coordinator (clients/node/test/citus.test.js,
# through test/run_npm.sh without a cluster of its own): its guard judges
# keys between Citus tables as the extension does, statement by statement.
npm_start=$(date +%s)
PGHOST="$CITUS_WORK" PGPORT="$(citus_port coordinator)" PGUSER=postgres FKG_NPM_CLUSTER=external \
  FKG_NPM_CITUS="$NPM_DBS" FKG_NPM_OUT="$out/npm" test/run_npm.sh clients/node/test/citus.test.js >"$out/npm.log" 2>&1
grep -E "^(✔|✖|npm: )" "$out/npm.log" | sed 's/^npm: /citus npm: /'
read -r p f < <(sed -nE 's/^npm: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$out/npm.log")
: "${p:=0}" "${f:=1}"
[ "$f" -gt 0 ] && sed -n '/^---- failures/,$p' "$out/npm.log" | head -n 200
[ "$p" -eq 0 ] && [ "$f" -le 1 ] && tail -n 40 "$out/npm.log"
echo "citus: npm package's guard: $p passed, $f failed ($(($(date +%s) - npm_start)) s)"
passed=$((passed + p)); failed=$((failed + f))

for n in "${CITUS_NODES[@]}"; do
  if grep -E "terminated by signal|server process .* was terminated|PANIC" "$CITUS_WORK/$n.log"; then
    echo "citus: the log of $n shows a crash"
    failed=$((failed + 1))
  fi
done
# The first cluster is done with: stopped (its logs copied to $out) before
# the TAP tests start theirs.
citus_cluster_stop

# TAP tests (test/citus/t, PostgreSQL::Test::Cluster): clusters of their own.
# FKG_CITUS_TAP_PORT: their coordinator's port (default: FKG_CITUS_PORT + 10),
# the workers on the next two.
FKG_TAP_DIR=test/citus/t FKG_TAP_OUT="$out/tap" FKG_CITUS_TAP_PORT="${FKG_CITUS_TAP_PORT:-$((FKG_CITUS_PORT + 10))}" \
  test/run_tap.sh | tee "$out/tap.log"
read -r p f < <(sed -nE 's/^tap: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$out/tap.log")
: "${p:=0}" "${f:=1}"
grep -E "^# (guard messages|  )" "$out/tap/prove.log" | sed 's/^# /citus tap: /'
passed=$((passed + p)); failed=$((failed + f))

echo "citus: suite took $(($(date +%s) - started)) s"
echo "citus: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
