#!/usr/bin/env bash
# End-to-end suite of the Python migration tools (test/e2e-python): Django and
# Alembic/SQLAlchemy with psycopg2, from Debian's packages (scripts/setup.sh
# installs python3-django, python3-alembic, python3-sqlalchemy and
# python3-psycopg2), through their own migration runners (makemigrations and
# migrate; revision --autogenerate and upgrade), as an ordinary role, against
# a throwaway cluster (test/lib/cluster.sh) in which each test creates its own
# database with CREATE EXTENSION pg_fk_guard. Runs Python's unittest with
# Debian's interpreter (/usr/bin/python3: the packages are installed for it).
# Assumes the extension is built and installed.
#
# Usage: test/run_e2e_python.sh [test_django[.Class[.test]] | test_alembic ...]
#        (default: all of them)
# FKG_E2E_RECORD=1 writes the statements each tool sent into
# test/e2e-python/fixtures/ instead of comparing them.
#
# Output: one line per test, the failures in full, and last
# "e2e-python: N passed, N failed". The full log is build/e2e-python/unittest.log.
# Port: FKG_PORT (default 54452).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT="$PWD"
: "${PG_CONFIG:=pg_config}"
: "${FKG_PORT:=54452}"
: "${FKG_E2E_PYTHON:=/usr/bin/python3}"
OUT="$ROOT/build/e2e-python"
say() { echo "e2e-python: $*"; }
fail_setup() { say "$*" >&2; echo "e2e-python: 0 passed, 1 failed"; exit 1; }

mkdir -p "$OUT"
rm -f "$OUT/unittest.log"
versions=$("$FKG_E2E_PYTHON" -c 'import django, alembic, sqlalchemy, psycopg2
print("Django", django.get_version(), "| Alembic", alembic.__version__, "| SQLAlchemy", sqlalchemy.__version__,
      "| psycopg2", psycopg2.__version__.split()[0])' 2>&1) ||
  fail_setup "$FKG_E2E_PYTHON cannot import the tools (scripts/setup.sh installs them): $versions"
say "$versions"

source test/lib/cluster.sh
cluster_start || fail_setup "could not start a cluster"
export PGHOST PGPORT PGUSER PGDATABASE
# The tests' processes run as this user; the cluster's socket directory is open to all.

# The two tools' modules run side by side (each test spends most of its time
# starting the tool's processes), each into its own log.
if [ $# -gt 0 ]; then groups=("$*"); else groups=(test_django test_alembic); fi
start=$(date +%s)
pids=()
for i in "${!groups[@]}"; do
  # shellcheck disable=SC2086 # a group is a list of test names
  (cd test/e2e-python && exec "$FKG_E2E_PYTHON" -m unittest -v ${groups[$i]}) >"$OUT/unittest-$i.log" 2>&1 &
  pids+=($!)
done
rc=0
for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
elapsed=$(($(date +%s) - start))
for i in "${!groups[@]}"; do cat "$OUT/unittest-$i.log"; done >"$OUT/unittest.log"

# One line per test (module.Class.test and its result); the failures in full.
awk '/^test_[a-z0-9_]+ \(/ { gsub(/[()]/, "", $2); name = $2; next }
     / \.\.\. (ok|FAIL|ERROR|skipped)/ { n = split($0, w, " ... "); print name " ... " w[n]; name = "" }' \
  "$OUT/unittest.log"
if [ $rc -ne 0 ]; then
  echo "---- failures (build/e2e-python/unittest.log) ----"
  sed -n '/^======/,/^Ran /p' "$OUT/unittest.log"
fi
sum() { sed -nE "$1" "$OUT/unittest.log" | awk '{ s += $1 } END { print s + 0 }'; }
ran=$(sum 's/^Ran ([0-9]+) tests? in .*/\1/p')
failures=$(sum 's/^FAILED \(.*failures=([0-9]+).*/\1/p')
errors=$(sum 's/^FAILED \(.*errors=([0-9]+).*/\1/p')
e_fail=$((failures + errors))
e_pass=$((ran - e_fail))
if [ $rc -ne 0 ] && [ "$e_fail" -eq 0 ]; then e_fail=1; fi
if ! cluster_check_log; then e_fail=$((e_fail + 1)); rc=1; fi
say "$ran tests in ${elapsed} s"
echo "e2e-python: $e_pass passed, $e_fail failed"
[ $rc -eq 0 ] && [ "$e_fail" -eq 0 ]
