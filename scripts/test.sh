#!/usr/bin/env bash
# Runs every test: C++ unit tests (GoogleTest via CTest), the isolation suite
# (pg_isolation_regress), the TAP suite (prove), the end-to-end suite through
# the migration tools (test/run_e2e.sh, node --test) and the pg_regress suite,
# each against throwaway clusters. Installs what it needs first.
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG="${PG_CONFIG:-pg_config}"

scripts/setup.sh || exit 1
scripts/build.sh || exit 1
mkdir -p build

passed=0
failed=0
summary=()

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

echo "== isolation (pg_isolation_regress) =="
test/run_isolation.sh | tee build/isolation-summary.log
read -r i_pass i_fail < <(sed -nE 's/^isolation: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' build/isolation-summary.log)
: "${i_pass:=0}" "${i_fail:=1}"
passed=$((passed + i_pass)); failed=$((failed + i_fail))
summary+=("isolation: $i_pass passed, $i_fail failed")

echo "== TAP (prove) =="
test/run_tap.sh | tee build/tap-summary.log
read -r t_pass t_fail < <(sed -nE 's/^tap: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' build/tap-summary.log)
: "${t_pass:=0}" "${t_fail:=1}"
passed=$((passed + t_pass)); failed=$((failed + t_fail))
summary+=("tap: $t_pass passed, $t_fail failed")

echo "== input rules vs PostgreSQL 15's input functions (test/input_check_differential.sh) =="
test/input_check_differential.sh >build/input-check.log 2>&1
d_rc=$?
tail -n 12 build/input-check.log
if [ "$d_rc" -eq 0 ]; then d_pass=1; d_fail=0; else d_pass=0; d_fail=1; fi
passed=$((passed + d_pass)); failed=$((failed + d_fail))
summary+=("input rules differential: $d_pass passed, $d_fail failed")

# The migration tools people use (Sequelize + umzug, knex, TypeORM,
# node-pg-migrate) against the installed extension. See test/run_e2e.sh.
echo "== e2e (node --test: Sequelize, knex, TypeORM, node-pg-migrate) =="
test/run_e2e.sh | tee build/e2e-summary.log
read -r e_pass e_fail < <(sed -nE 's/^e2e: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' build/e2e-summary.log)
: "${e_pass:=0}" "${e_fail:=1}"
passed=$((passed + e_pass)); failed=$((failed + e_fail))
summary+=("e2e: $e_pass passed, $e_fail failed")

echo "== pg_regress =="
test/run_regress.sh | tee build/regress-summary.log
r_pass=$(grep -cE "^(ok|test) .*\.\.\. ok|^ok " build/regress-summary.log)
r_fail=$(grep -cE "\.\.\. FAILED|^not ok " build/regress-summary.log)
if grep -q "server log shows a crash" build/regress-summary.log; then r_fail=$((r_fail + 1)); fi
passed=$((passed + r_pass)); failed=$((failed + r_fail))
summary+=("pg_regress: $r_pass passed, $r_fail failed")

# PostgreSQL 17 and 18 (15 is the suite above): the same pg_regress suite
# against downloaded servers, plus 18's own tests. See test/matrix.sh.
echo "== matrix (test/matrix.sh 17 18) =="
test/matrix.sh 17 18 | tee build/matrix-summary.log
read -r m_pass m_fail < <(sed -nE 's/^matrix: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' build/matrix-summary.log)
: "${m_pass:=0}" "${m_fail:=1}"
passed=$((passed + m_pass)); failed=$((failed + m_fail))
summary+=("matrix (17, 18): $m_pass passed, $m_fail failed")

echo "== summary =="
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
