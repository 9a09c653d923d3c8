#!/usr/bin/env bash
# Runs the TAP suite (test/t/*.pl) with prove and PostgreSQL::Test::Cluster,
# setting what PGXS's prove_installcheck sets (PATH, PG_REGRESS, TESTDIR and
# the perl include path). Each test starts its own node as the unprivileged
# cluster user: the Cluster module refuses to run as root, so as root the
# tests run as that user (runuser) from a copy of test/t in a temporary
# directory it owns. Assumes the extension is built and installed.
# Leaves prove's verbose output and the server logs in build/tap/.
# Last line: "tap: N passed, N failed" (TODO tests count as neither).
set -uo pipefail
cd "$(dirname "$0")/.."
: "${PG_CONFIG:=pg_config}"
: "${FKG_CLUSTER_USER:=postgres}"
# Fixed ports (one per test file that starts a node), away from other suites.
export FKG_TAP_PORT_DUMP="${FKG_TAP_PORT_DUMP:-54352}"
export FKG_TAP_PORT_MODE="${FKG_TAP_PORT_MODE:-54353}"

BINDIR="$("$PG_CONFIG" --bindir)"
PGXS_SRC="$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")" # .../lib/pgxs/src
PERL_LIB="$PGXS_SRC/test/perl"
PG_REGRESS="$PGXS_SRC/test/regress/pg_regress"
for f in "$PERL_LIB/PostgreSQL/Test/Cluster.pm" "$PG_REGRESS"; do
  [ -e "$f" ] || { echo "tap: missing $f (postgresql-server-dev)" >&2; exit 1; }
done
perl -MIPC::Run -e1 2>/dev/null || { echo "tap: perl IPC::Run is missing (libipc-run-perl)" >&2; exit 1; }

# FKG_TAP_DIR: another directory of TAP tests (test/run_citus.sh runs
# test/citus/t), with its output in FKG_TAP_OUT.
src="${FKG_TAP_DIR:-test/t}"
out="${FKG_TAP_OUT:-build/tap}"
rm -rf "$out"
mkdir -p "$out"

work="$(mktemp -d /tmp/pg_fk_guard_tap.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cp -r "$src" "$work/t"
as_user=()
if [ "$(id -u)" = 0 ]; then
  chown -R "$FKG_CLUSTER_USER" "$work"
  as_user=(runuser -u "$FKG_CLUSTER_USER" --)
fi
chmod 755 "$work"

if [ $# -gt 0 ]; then tests=("$@"); else tests=(); for f in "$src"/*.pl; do tests+=("t/$(basename "$f")"); done; fi
(cd "$work" && "${as_user[@]}" env \
  TESTDIR="$work" PATH="$BINDIR:$PATH" PG_REGRESS="$PG_REGRESS" \
  FKG_TAP_PORT_DUMP="$FKG_TAP_PORT_DUMP" FKG_TAP_PORT_MODE="$FKG_TAP_PORT_MODE" \
  FKG_CITUS_TAP_PORT="${FKG_CITUS_TAP_PORT:-}" \
  prove -v -I "$PERL_LIB" -I . "${tests[@]}") >"$out/prove.log" 2>&1
rc=$?
cp -r "$work/tmp_check/log" "$out/log" 2>/dev/null

# Per-file results, every failing assertion, and prove's summary.
grep -E "^t/.*\.pl \.+|^not ok |^Files=|^Result:|^t/.*\(Wstat|^Failed |Dubious|Bad plan|No plan" "$out/prove.log" |
  sed -E 's/^(t\/[^ ]+ \.+) .*/\1/'
if [ $rc -ne 0 ]; then
  echo "---- $out/prove.log (failures) ----"
  grep -B2 -A12 -E "^not ok " "$out/prove.log" | grep -v "# TODO" | head -200
fi
t_pass=$(grep -E "^ok [0-9]+" "$out/prove.log" | grep -vc "# TODO")
t_fail=$(grep -E "^not ok [0-9]+" "$out/prove.log" | grep -vc "# TODO")
# A script that died or did not finish its plan fails without a "not ok"
# line: prove's summary lists it with "Failed: 0" and a non-zero Wstat or a
# "Parse errors:" line. Count it once. (A script whose only entry is "TODO
# passed:" is listed with "Wstat: 0 ... Failed: 0" too: not a failure.)
t_dead=$(awk '
  /^t\/.*\(Wstat: .* Failed: 0\)$/ { if (cur && bad) n++; cur = 1; bad = ($0 !~ /Wstat: 0 /); next }
  cur && /^  +Parse errors:/ { bad = 1; next }
  cur && /^  / { next }
  { if (cur && bad) n++; cur = 0; bad = 0 }
  END { if (cur && bad) n++; print n + 0 }' "$out/prove.log")
t_fail=$((t_fail + t_dead))
if [ $rc -ne 0 ] && [ "$t_fail" -eq 0 ]; then t_fail=1; fi
t_todo=$(grep -cE "^not ok [0-9]+.*# TODO" "$out/prove.log")
[ "$t_todo" -gt 0 ] && echo "tap: $t_todo TODO (known problems, listed above as \"not ok ... # TODO\")"
# A TODO test that passes: the problem it records is gone; make it a normal test.
t_todo_ok=$(grep -E "^ok [0-9]+.*# TODO" "$out/prove.log" | wc -l)
[ "$t_todo_ok" -gt 0 ] && { echo "tap: $t_todo_ok TODO test(s) passed unexpectedly:"; grep -E "^ok [0-9]+.*# TODO" "$out/prove.log"; }
echo "tap: $t_pass passed, $t_fail failed"
[ $rc -eq 0 ]
