#!/usr/bin/env bash
# The server-level property test of generated SQL: test/proptest/gen.py writes
# cases whose schemas, tables, columns, constraints, indexes and statistics
# have names from a hostile alphabet (quotes, backslashes, line breaks, dollar
# quotes, comment markers, RAISE format characters, invisible and
# right-to-left Unicode, reserved words, names differing only in case,
# 63-byte names, injection payloads), holding four kinds of key mismatch.
# test/proptest/harness.sql then checks every script that fix_plan() (modes
# fail, null, delete, map) and diagnose_fk_mismatches().suggested_fix
# generate for them: parsed by the server's raw parser (through the test-only
# extension test/testkit, installed here, never part of the product), run as
# superuser in a rolled-back subtransaction, and compared with a catalog
# snapshot; the table owners' functions (CHECK, triggers, domain checks) must
# not run with the caller's privileges, when planning or running. Then every
# script runs again through psql -f with ON_ERROR_STOP off, and the canaries
# are checked. See harness.sql for the properties.
#
# Also runs test/testkit/sql (pg_regress tests that need the test-only
# extensions) as the property extension_scripts.
#
# Assumes pg_fk_guard is built and installed. Installs test/testkit into the
# same PostgreSQL (hold /tmp/fkg-install.lock around this script, as around
# every install). Port: FKG_PROPTEST_PORT (default 54493).
# FKG_PROPTEST_CASES (default 400) cases, FKG_PROPTEST_SEED (default 20261130).
# Prints a figures line and, last, "proptest: N passed, N failed" (one test
# per property). Properties listed in test/proptest/pending.txt are reported
# but not counted: they wait for a change to the product (see that file).
# Every failing script, with its problems: build/proptest/failures.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
: "${PG_CONFIG:=pg_config}"
: "${FKG_PROPTEST_CASES:=400}"
: "${FKG_PROPTEST_SEED:=20261130}"
FKG_PORT="${FKG_PROPTEST_PORT:-54493}"
OUT=build/proptest
t0=$(date +%s)
rm -rf "$OUT"
mkdir -p "$OUT"

fail() {
  echo "$*" >&2
  echo "proptest: 0 passed, 1 failed"
  exit 1
}

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
make -s -C test/testkit PG_CONFIG="$PG_CONFIG" >"$OUT/testkit-build.log" 2>&1 &&
  $SUDO make -s -C test/testkit PG_CONFIG="$PG_CONFIG" install >>"$OUT/testkit-build.log" 2>&1 ||
  { cat "$OUT/testkit-build.log"; fail "proptest: cannot build test/testkit"; }

python3 test/proptest/gen.py "$FKG_PROPTEST_CASES" "$FKG_PROPTEST_SEED" >"$OUT/cases.sql" ||
  fail "proptest: gen.py failed"

source test/lib/cluster.sh
cluster_start || fail "proptest: no cluster"
PSQL=("$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d postgres)

# The pg_regress tests that need the test-only extensions (test/testkit/sql:
# the guard inside an extension's install script), on the same cluster; one
# property, extension_scripts.
PGXS_SRC="$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")"
kit_tests=$(cd test/testkit/sql && ls *.sql | sed 's/\.sql$//')
# shellcheck disable=SC2086
if "$PGXS_SRC/test/regress/pg_regress" --inputdir=test/testkit --outputdir="$OUT/testkit" --bindir="$PG_BINDIR" \
  --dbname=fkg_testkit_regression $kit_tests >"$OUT/testkit-regress.log" 2>&1; then
  kit_problems=0
else
  kit_problems=1
  cat "$OUT/testkit-regress.log" "$OUT/testkit/regression.diffs" 2>/dev/null | tail -n 40
fi

start=$(date +%s)
{
  "${PSQL[@]}" -c "CREATE ROLE fkg_tester NOLOGIN; CREATE ROLE fkg_reader NOLOGIN;" &&
    "${PSQL[@]}" -f test/proptest/harness.sql &&
    "${PSQL[@]}" -f "$OUT/cases.sql" &&
    "${PSQL[@]}" -c "SET client_min_messages = error; SELECT count(fkg_pt.run_case(case_id)) FROM fkg_pt.cases;" &&
    "${PSQL[@]}" -c "SET client_min_messages = error; SELECT fkg_pt.run_suggested();" &&
    "${PSQL[@]}" -c "SET client_min_messages = error; SELECT fkg_pt.selftest();"
} >"$OUT/run.log" 2>&1 || { tail -n 30 "$OUT/run.log"; cluster_check_log; fail "proptest: the run failed"; }
elapsed=$(($(date +%s) - start))

# Each problem belongs to one property.
"${PSQL[@]}" -At -F $'\t' >"$OUT/properties.tsv" <<'SQL' || fail "proptest: no results"
WITH p AS (
  SELECT r.source, unnest(r.problems) AS problem FROM fkg_pt.results r WHERE NOT r.ok),
cls AS (
  SELECT CASE
    WHEN source LIKE 'selftest%' THEN 'harness_selftest'
    WHEN problem LIKE 'INJECTION%' THEN 'no_injection'
    WHEN problem LIKE 'OWNER CODE%' THEN 'no_owner_code_as_caller'
    WHEN problem LIKE 'PLANNING RAN OWNER CODE%' THEN 'planning_runs_no_owner_code'
    WHEN problem LIKE 'column is % with collation %' THEN 'collation_as_referenced'
    WHEN problem LIKE 'fails: cannot alter type of a column used %' THEN 'refuses_columns_it_cannot_convert'
    WHEN problem LIKE 'fails: cannot add NOT VALID foreign key on partitioned table %' THEN 'partitioned_tables'
    WHEN problem LIKE 'does not parse%' OR problem LIKE 'parses differently%' THEN 'parses'
    WHEN problem LIKE '%"-- Statements:" lines' OR problem LIKE 'announces%' THEN 'announced_statements'
    WHEN problem LIKE 'DO block%' THEN 'do_blocks_compile'
    WHEN problem LIKE 'catalog:%' THEN 'catalog_only_announced'
    WHEN problem LIKE 'data is%' THEN 'data_as_promised'
    WHEN problem LIKE 'column is%' OR problem LIKE 'foreign keys were%' OR problem LIKE 'expected one new%'
      OR problem LIKE 'new foreign key%' THEN 'key_and_type'
    ELSE 'outcome_as_expected' END AS property
  FROM p)
SELECT name, (SELECT count(*) FROM cls WHERE cls.property = name)
FROM unnest(ARRAY['parses', 'announced_statements', 'do_blocks_compile', 'no_injection', 'outcome_as_expected',
                  'key_and_type', 'collation_as_referenced', 'data_as_promised', 'catalog_only_announced',
                  'no_owner_code_as_caller', 'planning_runs_no_owner_code', 'refuses_columns_it_cannot_convert',
                  'partitioned_tables', 'harness_selftest']) AS name;
SQL

"${PSQL[@]}" -At >"$OUT/figures.txt" <<'SQL'
SELECT format('proptest figures: %s cases, %s scripts generated and run (fix_plan %s, suggested_fix %s of declared and %s of implied keys), '
              '%s plans refused by fix_plan, %s stopped by the plan''s own check, '
              'injections %s, scripts that fail to parse %s, announced/parsed statement mismatches %s, '
              'catalog differences beyond the announced ones %s, scripts that ran the table owner''s code as the caller %s, '
              'scripts with any problem %s',
  (SELECT count(*) FROM fkg_pt.cases),
  count(*) FILTER (WHERE script IS NOT NULL),
  count(*) FILTER (WHERE script IS NOT NULL AND source LIKE 'fix_plan%'),
  count(*) FILTER (WHERE script IS NOT NULL AND source = 'suggested_fix declared'),
  count(*) FILTER (WHERE script IS NOT NULL AND source = 'suggested_fix implied'),
  count(*) FILTER (WHERE outcome = 'refuse'),
  count(*) FILTER (WHERE outcome = 'stop'),
  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM unnest(problems) x WHERE x LIKE 'INJECTION%')),
  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM unnest(problems) x WHERE x LIKE 'does not parse%')),
  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM unnest(problems) x WHERE x LIKE 'announces%' OR x LIKE '%"-- Statements:" lines')),
  (SELECT count(*) FROM fkg_pt.results, unnest(problems) x WHERE x LIKE 'catalog:%' AND source NOT LIKE 'selftest%'),
  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM unnest(problems) x WHERE x LIKE 'OWNER CODE%')),
  count(*) FILTER (WHERE NOT ok))
FROM fkg_pt.results WHERE source NOT LIKE 'selftest%';
SQL

"${PSQL[@]}" -At >"$OUT/failures.txt" <<'SQL'
SELECT format(E'== case %s (%s) %s: %s\n%s\n%s\n', r.case_id, c.kind, r.source, r.outcome,
              array_to_string(r.problems, E'\n'), coalesce(r.script, '(no script)'))
FROM fkg_pt.results r LEFT JOIN fkg_pt.cases c USING (case_id)
WHERE NOT r.ok ORDER BY r.case_id, r.source;
SQL

# The worst way a DBA might run a script: saved to a file and fed to
# `psql -f` with ON_ERROR_STOP off, each statement committed on its own, so
# that a statement after a syntax error still runs. Every script once, last
# (it changes the tables for good); only the canaries are checked after it.
"${PSQL[@]}" -At -c "SELECT row_number() OVER (), translate(encode(convert_to(script, 'UTF8'), 'base64'), E'\n', '')
  FROM fkg_pt.results WHERE script IS NOT NULL AND source NOT LIKE 'selftest%'" >"$OUT/scripts.b64" || fail "proptest: cannot export the scripts"
mkdir -p "$OUT/scripts"
python3 - "$OUT" <<'PY' || fail "proptest: cannot write the scripts"
import base64, sys
out = sys.argv[1]
for line in open(out + "/scripts.b64"):
    n, b = line.rstrip("\n").split("|", 1)
    open("%s/scripts/%05d.sql" % (out, int(n)), "wb").write(base64.b64decode(b))
PY
psql_f_start=$(date +%s)
psql_f_scripts=0
for f in "$OUT"/scripts/*.sql; do
  [ -e "$f" ] || continue
  "$PG_BINDIR/psql" -X -q -d postgres -v ON_ERROR_STOP=0 -f "$f" >>"$OUT/psql-f.log" 2>&1
  psql_f_scripts=$((psql_f_scripts + 1))
done
psql_f_elapsed=$(($(date +%s) - psql_f_start))

# What was on the column in the scripts that succeeded (and so was checked
# to be still there, by the catalog snapshot).
"${PSQL[@]}" -At >"$OUT/survived.txt" <<'SQL'
SELECT format('  %s: %s', source, string_agg(format('%s %s', a, n), ', ' ORDER BY a))
FROM (SELECT regexp_replace(r.source, ' (declared|implied)$', '') AS source, a, count(*) AS n
      FROM fkg_pt.results r JOIN fkg_pt.cases c USING (case_id),
           jsonb_array_elements_text(c.expect -> 'attached') a
      WHERE r.ok AND r.outcome = 'success' AND r.source NOT LIKE 'selftest%'
      GROUP BY 1, 2) x
GROUP BY source ORDER BY source;
SQL

# Why fix_plan refused, names elided.
"${PSQL[@]}" -At >"$OUT/refusals.txt" <<'SQL'
SELECT format('  %s x %s (%s)', count(*), m, string_agg(DISTINCT source, ', '))
FROM (SELECT r.source, regexp_replace(regexp_replace(r.problems[1], '"([^"]|"")*"', '"…"', 'g'), '(\m[a-z_][a-z0-9_$]*(?=\.)|(?<=\.)[a-z_][a-z0-9_$]*\M)', '…', 'g') AS m
      FROM fkg_pt.results r WHERE r.outcome = 'refuse') x
GROUP BY m ORDER BY count(*) DESC;
SQL

# Canaries once more, outside any transaction the harness opened.
canary=$("${PSQL[@]}" -At -c "SELECT (SELECT count(*) FROM pg_roles WHERE rolsuper AND rolname <> 'postgres')
  || ' ' || (SELECT last_value || '/' || is_called FROM public.fkg_canary)")
cluster_check_log || fail "proptest: the server crashed"
cluster_stop

echo "$(cat "$OUT/figures.txt") (seed $FKG_PROPTEST_SEED)"
echo "proptest: then $psql_f_scripts scripts run again through psql -f with ON_ERROR_STOP off (each statement on its own): canaries (extra superusers, canary sequence) $canary, expected 0 1/false"
echo "kept on the converted column, checked in the scripts that succeeded (scripts per property):"
cat "$OUT/survived.txt"
if [ -s "$OUT/refusals.txt" ]; then
  echo "fix_plan refusals, by message (names elided):"
  cat "$OUT/refusals.txt"
fi
# The psql -f pass is a property of its own.
if [ "$canary" = "0 1/false" ]; then c_problems=0; else c_problems=1; fi
printf 'no_injection_psql_f\t%s\n' "$c_problems" >>"$OUT/properties.tsv"
printf 'extension_scripts\t%s\n' "$kit_problems" >>"$OUT/properties.tsv"
pending=" $(grep -vE '^\s*(#|$)' test/proptest/pending.txt 2>/dev/null | awk '{print $1}' | tr '\n' ' ') "
passed=0
failed=0
while IFS=$'\t' read -r property problems; do
  if [ "$problems" = 0 ]; then
    state="ok"
    [[ "$pending" == *" $property "* ]] && state="ok (listed as pending in test/proptest/pending.txt: remove it)"
    passed=$((passed + 1))
  elif [[ "$pending" == *" $property "* ]]; then
    state="PENDING ($problems problems; not counted, see test/proptest/pending.txt)"
  else
    state="FAILED ($problems problems)"
    failed=$((failed + 1))
  fi
  echo "property $property: $state"
done <"$OUT/properties.tsv"
if [ "$failed" -gt 0 ] && [ -s "$OUT/failures.txt" ]; then
  echo "first failing scripts (all in $OUT/failures.txt):"
  head -c 6000 "$OUT/failures.txt"
  echo
fi
echo "proptest: checks ${elapsed}s, psql -f pass ${psql_f_elapsed}s, in all $(($(date +%s) - t0))s"
echo "proptest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
