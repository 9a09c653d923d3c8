#!/usr/bin/env bash
# Runs every test: C++ unit tests (GoogleTest via CTest), the isolation suite
# (pg_isolation_regress), the TAP suite (prove), the end-to-end suites through
# the migration tools (test/run_e2e.sh, node --test; test/run_e2e_python.sh,
# unittest; test/run_e2e_ruby_php.sh, minitest and PHPUnit), the SARIF report against
# its JSON schema (test/run_sarif_check.sh), the pg_regress suite
# (with the 1.0 -> newest upgrade test), PostgreSQL 17 and 18 (test/matrix.sh),
# a Citus cluster (test/run_citus.sh),
# the release metadata and the Debian package, each against throwaway
# clusters. Installs what it needs first.
# Ends with one line: "N passed, N failed".
#
# scripts/test.sh --mutation [run.py options]: the mutation harness instead
# (test/mutation/run.py: each mutant of test/mutation/mutants.txt against the
# unit, pg_regress and isolation suites, in private copies of the tree and of
# the server; tens of minutes, so not part of the default run or .ci/run).
set -uo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG="${PG_CONFIG:-pg_config}"

if [ "${1:-}" = --mutation ]; then
  shift
  scripts/setup.sh || exit 1
  exec python3 test/mutation/run.py "$@"
fi

scripts/setup.sh || exit 1
scripts/build.sh || exit 1
mkdir -p build

passed=0
failed=0
summary=()

# Runs a suite whose last lines include "<name>: N passed, N failed", prints
# its output, and adds its counts to the totals (a suite that prints no counts
# counts as one failure).
run_suite() {
  local label="$1" name="$2" summary_name="$3"
  shift 3
  echo "== $label =="
  local log="build/suite-$name.log" p f
  "$@" | tee "$log"
  read -r p f < <(sed -nE "s/^$name: ([0-9]+) passed, ([0-9]+) failed\$/\\1 \\2/p" "$log")
  : "${p:=0}" "${f:=1}"
  passed=$((passed + p)); failed=$((failed + f))
  summary+=("$summary_name: $p passed, $f failed")
}

# clang-format and src/sources.mk (no server).
run_suite "style (test/run_style_checks.sh)" "style" "style" test/run_style_checks.sh

echo "== unit tests (ctest) =="
cmake -S . -B build/cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPG_CONFIG="$(command -v "$PG_CONFIG")" >build/cmake.log 2>&1 &&
  cmake --build build/cmake -j"$(nproc)" >>build/cmake.log 2>&1 || { cat build/cmake.log; exit 1; }
ctest --test-dir build/cmake --output-on-failure >build/ctest.log 2>&1
tail -n 3 build/ctest.log
read -r u_pass u_total < <(sed -nE 's/.* ([0-9]+) tests failed out of ([0-9]+)/\1 \2/p' build/ctest.log |
  awk '{print $2-$1, $2}')
u_fail=$((u_total - u_pass))
[ "$u_fail" -gt 0 ] && grep -E "Failed|FAILED" build/ctest.log
passed=$((passed + u_pass)); failed=$((failed + u_fail))
summary+=("unit: $u_pass passed, $u_fail failed")

run_suite "isolation (pg_isolation_regress)" "isolation" "isolation" test/run_isolation.sh

run_suite "TAP (prove)" "tap" "tap" test/run_tap.sh

echo "== input rules vs PostgreSQL 15's input functions (test/input_check_differential.sh) =="
test/input_check_differential.sh >build/input-check.log 2>&1
d_rc=$?
tail -n 12 build/input-check.log
if [ "$d_rc" -eq 0 ]; then d_pass=1; d_fail=0; else d_pass=0; d_fail=1; fi
passed=$((passed + d_pass)); failed=$((failed + d_fail))
summary+=("input rules differential: $d_pass passed, $d_fail failed")

# The migration tools people use (Sequelize + umzug, knex, TypeORM,
# node-pg-migrate) against the installed extension. See test/run_e2e.sh.
run_suite "e2e (node --test: Sequelize, knex, TypeORM, node-pg-migrate)" "e2e" "e2e" test/run_e2e.sh

# The npm package pg-fk-guard (clients/node): its engine built fresh from
# src/core to WebAssembly, the guard and the functions against throwaway
# clusters as an ordinary role without the extension, and the differential
# against the extension. See test/run_npm.sh.
run_suite "npm package pg-fk-guard (test/run_npm.sh)" "npm" "npm" test/run_npm.sh

# Django and Alembic/SQLAlchemy (Debian's packages, psycopg2), through their
# own migration runners. See test/run_e2e_python.sh.
run_suite "e2e-python (unittest: Django, Alembic/SQLAlchemy)" "e2e-python" "e2e-python" test/run_e2e_python.sh

# Rails (Active Record, minitest) and Laravel (Illuminate's Migrator,
# PHPUnit), from Debian's packages. See test/run_e2e_ruby_php.sh.
run_suite "e2e Ruby/PHP (minitest: Rails; PHPUnit: Laravel)" "e2e-ruby-php" "e2e-ruby-php" test/run_e2e_ruby_php.sh

# fk_guard.report('sarif') against the SARIF 2.1.0 JSON schema (ajv and the
# schema from npm, pinned in test/sarif/package-lock.json).
run_suite "SARIF report vs the SARIF 2.1.0 schema (test/run_sarif_check.sh)" "sarif" "sarif" test/run_sarif_check.sh

echo "== pg_regress =="
test/run_regress.sh | tee build/regress-summary.log
r_pass=$(grep -cE "^(ok|test) .*\.\.\. ok|^ok " build/regress-summary.log)
r_fail=$(grep -cE "\.\.\. FAILED|^not ok " build/regress-summary.log)
if grep -q "server log shows a crash" build/regress-summary.log; then r_fail=$((r_fail + 1)); fi
passed=$((passed + r_pass)); failed=$((failed + r_fail))
summary+=("pg_regress: $r_pass passed, $r_fail failed")

# Every script fix_plan() and suggested_fix generate for names from a hostile
# alphabet: parsed, run in a rolled-back transaction, compared with a catalog
# snapshot, then run through psql -f for the canaries. See test/run_proptest.sh.
run_suite "property test of generated SQL (test/run_proptest.sh)" "proptest" "proptest" test/run_proptest.sh

# The same three suites the way a PGXS user runs them: make installcheck.
run_suite "make installcheck (regress, isolation, TAP through PGXS)" "installcheck" "make installcheck" test/run_installcheck.sh

# PostgreSQL 17 and 18 (15 is the suite above): the same pg_regress suite
# against downloaded servers, plus 18's own tests. See test/matrix.sh.
run_suite "matrix (test/matrix.sh 17 18)" "matrix" "matrix (17, 18)" test/matrix.sh 17 18

# A Citus cluster (coordinator and two workers): Citus built from the source
# FKG_CITUS_SRC names (skipped with a message without it; .ci/run sets it),
# pg_regress tests of test/citus and the guard's messages per statement on the
# client and in every node's log. See test/run_citus.sh.
run_suite "Citus (test/run_citus.sh)" "citus" "citus" test/run_citus.sh

# Release metadata (META.json, changelogs, debian/control, make dist) and the
# Debian package: built with dpkg-buildpackage, installed with dpkg -i, used
# on a throwaway cluster, purged, and the work tree's build installed again.
run_suite "release metadata and make dist (test/run_release_checks.sh)" "release" "release" test/run_release_checks.sh
run_suite "Debian package (test/run_package.sh)" "package" "package" test/run_package.sh

echo "== summary =="
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
