#!/usr/bin/env bash
# Runs the isolation suite (test/isolation/specs, test/isolation/expected)
# with pg_isolation_regress against a throwaway cluster: the migration guard
# while another session alters or drops the tables a statement names, the
# locks it takes and what ends its waits, each case beside its control
# (pg_fk_guard.mode = off). Permutations marked DIFFERS FROM CONTROL in the
# specs record known differences from PostgreSQL alone.
# Assumes the extension is built and installed. Prints pg_isolation_regress's
# summary and, on failure, regression.diffs. Fails if the server log shows a
# crash. Last line: "isolation: N passed, N failed".
# Usage: test/run_isolation.sh [spec ...]   (default: every spec)
# Some expected files hold the guard's WARNING text (DETAIL, HINT): when the
# messages change, review build/isolation/regression.diffs and copy
# build/isolation/results/*.out over test/isolation/expected/.
set -uo pipefail
cd "$(dirname "$0")/.."
: "${PG_CONFIG:=pg_config}"
FKG_PORT="${FKG_ISOLATION_PORT:-54351}"
source test/lib/cluster.sh

PGXS_SRC="$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")"  # .../lib/pgxs/src
ISOLATION_REGRESS="$PGXS_SRC/test/isolation/pg_isolation_regress"
[ -x "$ISOLATION_REGRESS" ] || { echo "no pg_isolation_regress at $ISOLATION_REGRESS" >&2; exit 1; }

# Every spec, in name order, unless named on the command line.
if [ $# -gt 0 ]; then
  specs=("$@")
else
  specs=()
  for f in test/isolation/specs/*.spec; do specs+=("$(basename "$f" .spec)"); done
fi

out=build/isolation
rm -rf "$out"
mkdir -p "$out"
cluster_start || exit 1
"$ISOLATION_REGRESS" --inputdir=test/isolation --outputdir="$out" \
  --bindir="$PG_BINDIR" --dbname=fkg_isolation "${specs[@]}" >"$out/isolation.log" 2>&1
rc=$?
grep -E "^(test |ok |not ok |#|=+| *[0-9]+ of| *All |permutation )" "$out/isolation.log" || cat "$out/isolation.log"
if [ $rc -ne 0 ] && [ -f "$out/regression.diffs" ]; then
  echo "---- regression.diffs ----"
  cat "$out/regression.diffs"
fi
i_pass=$(grep -cE "^(ok|test) .*\.\.\. ok|^ok " "$out/isolation.log")
i_fail=$(grep -cE "\.\.\. FAILED|^not ok " "$out/isolation.log")
[ $rc -ne 0 ] && [ "$i_fail" -eq 0 ] && i_fail=1
if ! cluster_check_log; then
  i_fail=$((i_fail + 1))
  rc=1
fi
cp "$FKG_CLUSTER_DIR/server.log" "$out/server.log" 2>/dev/null
echo "isolation: $i_pass passed, $i_fail failed"
[ $rc -eq 0 ]
