#!/usr/bin/env bash
# The npm package (clients/node, pg-fk-guard): builds its engine fresh from
# src/core and src/wasm (clients/node/scripts/build-engine.sh, emscripten),
# installs its pinned packages with `npm ci` when clients/node/node_modules is
# missing or does not match clients/node/package-lock.json, starts a
# throwaway cluster (test/lib/cluster.sh) with the extension installed on the
# server (the differential and the same-error tests compare against it; the
# package itself runs as an ordinary role in databases without it), and runs
# `node --test` over clients/node/test/*.test.js.
#
# Usage: test/run_npm.sh [clients/node/test/<file>.test.js ...]   (default: all)
# Output: one line per test, the failures in full, and last
# "npm: N passed, N failed". The full report is in build/npm/spec.log
# (FKG_NPM_OUT: another directory).
# Port: FKG_PORT (default 54411).
# PG_CONFIG names the server the cluster runs (test/matrix.sh runs this suite
# on PostgreSQL 17 and 18 so, with the extension installed in that server).
# FKG_NPM_CLUSTER=external: no cluster of its own, the server PGHOST, PGPORT
# and PGUSER name (test/run_citus.sh runs clients/node/test/citus.test.js so,
# against its Citus coordinator).
# FKG_NPM_SERVER_ONLY=1 skips what does not depend on the server's version
# (the engine's own tests, the npm pack test): test/matrix.sh sets it.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT="$PWD"
: "${PG_CONFIG:=pg_config}"
: "${FKG_PORT:=54411}"
PKG="$ROOT/clients/node"
OUT="${FKG_NPM_OUT:-$ROOT/build/npm}"
say() { echo "npm: $*"; }
fail_setup() { say "$*" >&2; echo "npm: 0 passed, 1 failed"; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT"/spec.log "$OUT"/results.tap

# Node.js >= 20.19, as the e2e suite wants it (test/e2e/prepare.sh), without
# its npm ci: only the Node.js part is shared.
source test/e2e/prepare.sh
if [ -n "${FKG_E2E_FETCH_NODE:-}" ] || ! e2e_node_new_enough; then
  e2e_prepare || fail_setup "could not prepare Node.js"
fi

# The engine, fresh: the tests must judge with this checkout's src/core. Built
# again whenever its inputs (src/core, src/wasm, src/sources.mk, the build
# script, emcc's version) differ from those of the engine.js there is.
engine="$PKG/lib/engine.js"
engine_stamp="$ROOT/build/npm-engine-inputs.sha256"
engine_inputs=$({
  emcc --version 2>/dev/null | head -n 1
  find src/core src/wasm src/sources.mk clients/node/scripts/build-engine.sh -type f \
    \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.mk' -o -name '*.sh' \) -print0 |
    sort -z | xargs -0 sha256sum
} | sha256sum | cut -d' ' -f1)
if [ -f "$engine" ] && [ "$(cat "$engine_stamp" 2>/dev/null)" = "$engine_inputs" ]; then
  say "engine: $engine is built from these sources ($(wc -c <"$engine") bytes)"
else
  rm -f "$engine_stamp"
  clients/node/scripts/build-engine.sh >"$OUT/build-engine.log" 2>&1 ||
    { cat "$OUT/build-engine.log"; fail_setup "could not build the engine"; }
  tail -n 1 "$OUT/build-engine.log"
  echo "$engine_inputs" >"$engine_stamp"
fi

stamp="$PKG/node_modules/.fkg-npm-lock.sha256"
want=$( (sha256sum "$PKG/package-lock.json"; node --version) | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "npm ci (clients/node)"
  (cd "$PKG" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >"$OUT/npm-ci.log" 2>&1 ||
    { cat "$OUT/npm-ci.log"; fail_setup "npm ci failed"; }
  echo "$want" >"$stamp"
fi
say "node $(node --version), npm $(npm --version 2>/dev/null)"

if [ "${FKG_NPM_CLUSTER:-}" = external ]; then
  [ -n "${PGHOST:-}" ] && [ -n "${PGPORT:-}" ] || fail_setup "FKG_NPM_CLUSTER=external needs PGHOST and PGPORT"
  : "${PGUSER:=postgres}" "${PGDATABASE:=postgres}"
  cluster_check_log() { :; } # the caller checks its own servers' logs
else
  source test/lib/cluster.sh
  cluster_start || fail_setup "could not start a cluster"
fi
export PGHOST PGPORT PGUSER PGDATABASE

if [ $# -gt 0 ]; then
  tests=()
  for t in "$@"; do tests+=("$ROOT/$t"); done
else
  tests=("$PKG"/test/*.test.js)
  if [ -n "${FKG_NPM_SERVER_ONLY:-}" ]; then
    tests=()
    for t in "$PKG"/test/*.test.js; do
      case "$(basename "$t")" in engine.test.js) ;; *) tests+=("$t") ;; esac
    done
  fi
fi
export FKG_NPM_SERVER_ONLY
cd "$PKG" || exit 1
node --test --test-concurrency=1 --test-timeout=300000 \
  --test-reporter=spec --test-reporter-destination="$OUT/spec.log" \
  --test-reporter=tap --test-reporter-destination="$OUT/results.tap" \
  "${tests[@]}" >"$OUT/stdout.log" 2>&1
rc=$?
cd "$ROOT" || exit 1

sed '/^✖ failing tests:/,$d' "$OUT/spec.log" | grep -E "^[✔✖] "
# The counts the tests report (differential, benchmarks): TAP diagnostics.
grep -E "^ *# (differential|guard cost|probe)" "$OUT/results.tap" | sed -E 's/^ *# /npm: /' || true
if [ $rc -ne 0 ]; then
  echo "---- failures ($OUT/spec.log) ----"
  sed -n '/^✖ failing tests:/,$p' "$OUT/spec.log"
  [ -s "$OUT/stdout.log" ] && { echo "---- output outside the reporter ----"; cat "$OUT/stdout.log"; }
fi
n_pass=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$OUT/results.tap" | tail -n 1)
n_fail=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$OUT/results.tap" | tail -n 1)
n_cancel=$(sed -nE 's/^# cancelled ([0-9]+)$/\1/p' "$OUT/results.tap" | tail -n 1)
: "${n_pass:=0}" "${n_fail:=0}" "${n_cancel:=0}"
n_fail=$((n_fail + n_cancel))
if [ $rc -ne 0 ] && [ "$n_fail" -eq 0 ]; then n_fail=1; fi
if ! cluster_check_log; then n_fail=$((n_fail + 1)); rc=1; fi
echo "npm: $n_pass passed, $n_fail failed"
[ $rc -eq 0 ]
