#!/usr/bin/env bash
# fk_guard.report('sarif') validated against the SARIF 2.1.0 JSON schema: on an
# empty database (no results) and on test/sarif/fixture.sql (a finding of every
# check), in a throwaway cluster. The schema and the validator (ajv) come from
# npm packages pinned in test/sarif/package-lock.json (npm ci when
# test/sarif/node_modules is missing or stale); test/sarif/validate.mjs says
# which schemas and what else it checks. Assumes the extension is installed.
#
# Output: the validator's "ok"/"not ok" lines, last "sarif: N passed, N failed".
# Port: FKG_PORT (default 54403). The reports are kept in build/sarif/.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT="$PWD"
: "${PG_CONFIG:=pg_config}"
: "${FKG_PORT:=54403}"
DIR="$ROOT/test/sarif"
OUT="$ROOT/build/sarif"
fail_setup() { echo "sarif: $*" >&2; echo "sarif: 0 passed, 1 failed"; exit 1; }
mkdir -p "$OUT"

# ---- Node.js, npm and the pinned packages ---------------------------------
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "sarif: installing nodejs and npm (Debian)" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm; } >/dev/null ||
    fail_setup "could not install nodejs and npm"
fi
stamp="$DIR/node_modules/.fkg-sarif-lock.sha256"
want=$( (sha256sum "$DIR/package-lock.json"; node --version) | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "sarif: npm ci (test/sarif)" >&2
  (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error) >"$OUT/npm-ci.log" 2>&1 ||
    { cat "$OUT/npm-ci.log" >&2; fail_setup "npm ci failed"; }
  echo "$want" >"$stamp"
fi

# ---- The reports -----------------------------------------------------------
source test/lib/cluster.sh
cluster_start || fail_setup "could not start a cluster"
export PGHOST PGPORT PGUSER PGDATABASE
cluster_psql -q -c "CREATE EXTENSION pg_fk_guard" || fail_setup "CREATE EXTENSION failed"

passed=0
failed=0
validate() {
  local label="$1" file="$2"
  shift 2
  local log="$OUT/$label.log"
  node "$DIR/validate.mjs" "$label" "$file" "$@" >"$log" 2>&1
  cat "$log"
  passed=$((passed + $(grep -c '^ok ' "$log")))
  failed=$((failed + $(grep -c '^not ok ' "$log")))
  # A validator that crashed before its lines counts as a failure.
  grep -qE '^(not )?ok ' "$log" || failed=$((failed + 1))
}

if cluster_psql -At -c "SELECT fk_guard.report('sarif')" >"$OUT/empty.sarif"; then
  validate empty "$OUT/empty.sarif"
else
  echo "not ok - empty: report('sarif') failed"; failed=$((failed + 1))
fi

if cluster_psql -q -f "$DIR/fixture.sql" >"$OUT/fixture.log" 2>&1 &&
   cluster_psql -At -c "SELECT fk_guard.report('sarif')" >"$OUT/findings.sarif"; then
  validate findings "$OUT/findings.sarif" \
    type_mismatch duplicate overlapping unindexed nullable_match_simple not_validated
else
  cat "$OUT/fixture.log"
  echo "not ok - findings: fixture.sql or report('sarif') failed"; failed=$((failed + 1))
fi

# The validator itself: a report broken in ways the schema forbids (a level
# SARIF does not know, a result without its message) must be refused.
if node -e '
  const fs = require("fs");
  const log = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  log.runs[0].results[0].level = "fatal";
  delete log.runs[0].results[1].message;
  fs.writeFileSync(process.argv[2], JSON.stringify(log));' "$OUT/findings.sarif" "$OUT/broken.sarif" 2>"$OUT/broken.log" &&
   ! node "$DIR/validate.mjs" broken "$OUT/broken.sarif" type_mismatch >>"$OUT/broken.log" 2>&1 &&
   [ "$(grep -c '^not ok - broken: valid against' "$OUT/broken.log")" -eq 2 ]; then
  echo "ok - the validator refuses a broken report against both schemas"; passed=$((passed + 1))
else
  cat "$OUT/broken.log"
  echo "not ok - the validator refuses a broken report against both schemas"; failed=$((failed + 1))
fi

cluster_check_log || failed=$((failed + 1))
cluster_stop
echo "sarif: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
