#!/usr/bin/env bash
# End-to-end suite (test/e2e): pg_fk_guard through the migration tools people
# use, through their public APIs: Sequelize v6 + umzug, knex, TypeORM and
# node-pg-migrate, with the pg driver. Starts a throwaway cluster (as the
# unprivileged cluster user, test/lib/cluster.sh) in which each test creates
# its own database with CREATE EXTENSION pg_fk_guard; installs the pinned
# packages with `npm ci` when test/e2e/node_modules is missing or does not
# match package-lock.json; runs `node --test`. Assumes the extension is built
# and installed.
#
# Usage: test/run_e2e.sh [tests/<file>.test.mjs ...]   (default: all of them)
#
# Needs Node.js >= 20.19 (TypeORM 1.x): when `node` is missing or older, a
# Node.js 20 binary is taken from the npm registry (test/e2e/prepare.sh).
#
# Output: one line per test, the failures in full, and last
# "e2e: N passed, N failed". The full report (each test's diagnostics: the
# SQL each tool sent, the errors and notices as the application got them) is
# in build/e2e/spec.log; TAP in build/e2e/results.tap.
# Port: FKG_PORT (default 54401).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT="$PWD"
: "${PG_CONFIG:=pg_config}"
: "${FKG_PORT:=54401}"
E2E="$ROOT/test/e2e"
OUT="$ROOT/build/e2e"
say() { echo "e2e: $*"; }
fail_setup() { say "$*" >&2; echo "e2e: 0 passed, 1 failed"; exit 1; }

mkdir -p "$OUT"
rm -f "$OUT"/spec.log "$OUT"/results.tap

# ---- Node.js, npm and the packages (test/e2e/prepare.sh) ------------------
source test/e2e/prepare.sh
e2e_prepare || fail_setup "could not prepare Node.js and the packages"
say "node $(node --version), npm $(npm --version 2>/dev/null)"

# ---- The cluster and the tests --------------------------------------------
source test/lib/cluster.sh
cluster_start || fail_setup "could not start a cluster"
export PGHOST PGPORT PGUSER PGDATABASE

cd "$E2E" || exit 1
if [ $# -gt 0 ]; then tests=("$@"); else tests=(tests/*.test.mjs); fi
node --test --test-timeout=120000 \
  --test-reporter=spec --test-reporter-destination="$OUT/spec.log" \
  --test-reporter=tap --test-reporter-destination="$OUT/results.tap" \
  "${tests[@]}" >"$OUT/stdout.log" 2>&1
rc=$?
cd "$ROOT" || exit 1

# One line per test; the failures in full.
sed '/^✖ failing tests:/,$d' "$OUT/spec.log" | grep -E "^[✔✖] "
if [ $rc -ne 0 ]; then
  echo "---- failures (build/e2e/spec.log) ----"
  sed -n '/^✖ failing tests:/,$p' "$OUT/spec.log"
  [ -s "$OUT/stdout.log" ] && { echo "---- output outside the reporter ----"; cat "$OUT/stdout.log"; }
fi
e_pass=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$OUT/results.tap" | tail -n 1)
e_fail=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$OUT/results.tap" | tail -n 1)
e_cancel=$(sed -nE 's/^# cancelled ([0-9]+)$/\1/p' "$OUT/results.tap" | tail -n 1)
: "${e_pass:=0}" "${e_fail:=0}" "${e_cancel:=0}"
e_fail=$((e_fail + e_cancel))
if [ $rc -ne 0 ] && [ "$e_fail" -eq 0 ]; then e_fail=1; fi
if ! cluster_check_log; then e_fail=$((e_fail + 1)); rc=1; fi
echo "e2e: $e_pass passed, $e_fail failed"
[ $rc -eq 0 ]
