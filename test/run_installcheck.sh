#!/usr/bin/env bash
# "make installcheck" as a user of PGXS runs it: all three suites (pg_regress,
# pg_isolation_regress, TAP) against a running server, from a copy of the
# tree owned by the unprivileged cluster user (the TAP tests, like
# PostgreSQL's, refuse to run as root). Checks that the Makefile's REGRESS,
# ISOLATION and TAP_TESTS settings work as contrib modules' do; the suites
# themselves also run one by one from scripts/test.sh.
# Assumes the extension is built and installed. Leaves the output in
# build/installcheck/. Last line: "installcheck: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
: "${PG_CONFIG:=pg_config}"
: "${FKG_CLUSTER_USER:=postgres}"
FKG_PORT="${FKG_INSTALLCHECK_PORT:-54372}"
source test/lib/cluster.sh
out="$PWD/build/installcheck"
rm -rf "$out"
mkdir -p "$out"

work="$(mktemp -d /tmp/pg_fk_guard_installcheck.XXXXXX)"
git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$work" 2>/dev/null
[ "$(id -u)" = 0 ] && chown -R "$FKG_CLUSTER_USER" "$work"
chmod 755 "$work"
cleanup() { cluster_stop; rm -rf "$work"; }
cluster_start || { echo "installcheck: 0 passed, 1 failed"; exit 1; }
trap cleanup EXIT

(cd "$work" && as_cluster_user env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER="$PGUSER" \
  make installcheck PG_CONFIG="$PG_CONFIG") >"$out/installcheck.log" 2>&1
rc=$?
cp -r "$work/build" "$out/" 2>/dev/null
r=$(grep -cE "^(ok|test) .*\.\.\. ok|^ok [0-9]+ " "$out/installcheck.log")
echo "make installcheck: $(grep -c '^+++ .* install-check' "$out/installcheck.log") suites run (regress, isolation, tap); $r regress/isolation tests ok; TAP: $(grep -E '^Result:' "$out/installcheck.log")"
if [ $rc -ne 0 ]; then
  grep -E "FAILED|not ok|^Result|Error" "$out/installcheck.log" | head -20
  echo "(see $out/installcheck.log)"
fi
cluster_check_log || rc=1
if [ $rc -eq 0 ]; then echo "installcheck: 1 passed, 0 failed"; else echo "installcheck: 0 passed, 1 failed"; fi
[ $rc -eq 0 ]
