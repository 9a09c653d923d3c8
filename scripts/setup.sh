#!/usr/bin/env bash
# Installs what building and testing pg_fk_guard needs on Debian 12, if missing.
# Needs root (or passwordless sudo) when something is missing.
set -euo pipefail

PACKAGES=(
  g++ make cmake libgtest-dev
  libpg-query-dev # PostgreSQL's parser as a library: the unit property tests parse generated SQL
  postgresql-15 postgresql-client-15 postgresql-server-dev-15 postgresql-contrib
  libipc-run-perl # the TAP tests (PostgreSQL::Test::Cluster)
  clang-format-14 # the format check (test/run_style_checks.sh)
  python3         # the mutation harness (test/mutation/run.py) and its list check
  # The Python migration tools' end-to-end suite (test/run_e2e_python.sh)
  python3-django python3-alembic python3-sqlalchemy python3-psycopg2
  # The Ruby and PHP migration tools' end-to-end suite (test/run_e2e_ruby_php.sh),
  # all from Debian: Rails' Active Record with the pg gem and minitest;
  # Laravel's Illuminate components with Doctrine DBAL, PDO pgsql and PHPUnit.
  ruby-activerecord ruby-pg ruby-minitest
  php-cli php-pgsql php-laravel-framework php-doctrine-dbal phpunit
  # The npm package's engine: src/core compiled to WebAssembly (clients/node/scripts/build-engine.sh)
  emscripten
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The throwaway clusters run as this unprivileged user (created by postgresql-common).
id postgres >/dev/null 2>&1 || { echo "setup: no 'postgres' OS user" >&2; exit 1; }
