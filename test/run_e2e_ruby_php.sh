#!/usr/bin/env bash
# End-to-end suite for the Ruby and PHP migration tools (test/e2e-ruby-php):
# Rails (Active Record 6.1 from Debian's ruby-activerecord, pg gem) through
# the code path of `rails db:migrate`, with minitest (`ruby -Itest`), and
# Laravel (8.83 from Debian's php-laravel-framework, PDO pgsql, Doctrine
# DBAL for ->change()) through Illuminate's Migrator as `php artisan
# migrate` runs it, with PHPUnit (Debian's phpunit). Everything is loaded
# from Debian's packages (installed by scripts/setup.sh): no gem, no
# composer. Starts a throwaway cluster (test/lib/cluster.sh) in which each
# test creates its own database with CREATE EXTENSION pg_fk_guard, owned by
# the ordinary role the tools connect as. Assumes the extension is built and
# installed.
#
# Usage: test/run_e2e_ruby_php.sh [rails|laravel ...]   (default: both)
#
# Output: each test, the failures in full, and last
# "e2e-ruby-php: N passed, N failed". Each test's diagnostics (the SQL, the
# errors and notices as the application got them) are in
# build/e2e-ruby-php/rails.log and laravel.log.
# Port: FKG_PORT (default 54460). FKG_E2E_RECORD=1 rewrites the fixtures of
# recorded SQL (test/e2e-ruby-php/fixtures).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT="$PWD"
: "${PG_CONFIG:=pg_config}"
: "${FKG_PORT:=54460}"
OUT="$ROOT/build/e2e-ruby-php"
fail_setup() { echo "e2e-ruby-php: $*" >&2; echo "e2e-ruby-php: 0 passed, 1 failed"; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(rails laravel)

command -v ruby >/dev/null || fail_setup "ruby is missing (scripts/setup.sh installs it)"
command -v phpunit >/dev/null || fail_setup "phpunit is missing (scripts/setup.sh installs it)"
echo "e2e-ruby-php: $(ruby -e 'require "active_record"; require "pg"; print "ruby #{RUBY_VERSION}, activerecord #{ActiveRecord::VERSION::STRING}, pg #{PG::VERSION}"'); php $(php -r 'echo PHP_VERSION;'), laravel $(sed -nE "s/.*const VERSION = '([^']+)'.*/\1/p" /usr/share/php/Illuminate/Foundation/Application.php), doctrine-dbal $(dpkg-query -W -f='${Version}' php-doctrine-dbal), $(phpunit --version | head -n 1)"

source test/lib/cluster.sh
cluster_start || fail_setup "could not start a cluster"
export PGHOST PGPORT PGUSER PGDATABASE
export FKG_SERVER_LOG="$FKG_CLUSTER_DIR/server.log"

passed=0
failed=0
start=$(date +%s)
for suite in "${suites[@]}"; do
  case "$suite" in
    rails)
      # minitest: "N runs, N assertions, N failures, N errors, N skips".
      ruby -Itest/e2e-ruby-php/rails -e 'require "rails_test"' -- --verbose >"$OUT/rails.out" 2>&1
      rc=$?
      grep -E "^RailsTest#test_.* = [0-9.]+ s = [.FES]$" "$OUT/rails.out" |
        sed -E 's/^RailsTest#(test_[a-z0-9_]+) = ([0-9.]+) s = (.)$/\3 rails \1 (\2 s)/; s/^\. /ok /; s/^[FE] /FAILED /'
      read -r runs fails errors skips < <(sed -nE 's/^([0-9]+) runs, [0-9]+ assertions, ([0-9]+) failures, ([0-9]+) errors, ([0-9]+) skips$/\1 \2 \3 \4/p' "$OUT/rails.out" | tail -n 1)
      if [ -z "${runs:-}" ]; then
        echo "---- rails: no minitest summary ----"; cat "$OUT/rails.out"; failed=$((failed + 1))
      else
        bad=$((fails + errors + skips))
        passed=$((passed + runs - bad)); failed=$((failed + bad))
        if [ $rc -ne 0 ] || [ $bad -gt 0 ]; then
          echo "---- rails failures ($OUT/rails.out) ----"
          sed -n '/^  [0-9]*) \(Failure\|Error\|Skipped\):/,/^[0-9]* runs,/p' "$OUT/rails.out"
          [ $bad -gt 0 ] || failed=$((failed + 1))
        fi
      fi
      ;;
    laravel)
      phpunit --colors=never --testdox-text "$OUT/laravel.testdox" --log-junit "$OUT/laravel.junit.xml" \
        -c test/e2e-ruby-php/laravel/phpunit.xml >"$OUT/laravel.out" 2>&1
      rc=$?
      sed -E 's/^ \[x\] /ok laravel /; s/^ \[ \] /FAILED laravel /' "$OUT/laravel.testdox" | grep -E "^(ok|FAILED) "
      read -r tests fails errors skips < <(python3 - "$OUT/laravel.junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    s = ET.parse(sys.argv[1]).getroot().find('testsuite')
    print(s.get('tests'), s.get('failures'), s.get('errors'), int(s.get('skipped', 0)) + int(s.get('warnings', 0) or 0))
except Exception:
    print('')
PY
)
      if [ -z "${tests:-}" ]; then
        echo "---- laravel: no PHPUnit report ----"; cat "$OUT/laravel.out"; failed=$((failed + 1))
      else
        bad=$((fails + errors + skips))
        passed=$((passed + tests - bad)); failed=$((failed + bad))
        if [ $rc -ne 0 ] || [ $bad -gt 0 ]; then
          echo "---- laravel failures ($OUT/laravel.out) ----"; cat "$OUT/laravel.out"
          [ $bad -gt 0 ] || failed=$((failed + 1))
        fi
      fi
      ;;
    *) fail_setup "unknown suite $suite (rails, laravel)" ;;
  esac
done
if ! cluster_check_log; then failed=$((failed + 1)); fi
echo "e2e-ruby-php: $(( $(date +%s) - start )) s"
echo "e2e-ruby-php: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
