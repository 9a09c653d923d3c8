#!/usr/bin/env bash
# Builds pg_fk_guard with PGXS (warnings are errors) and installs it into the
# PostgreSQL that pg_config names.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PG_CONFIG:=pg_config}"
make -s PG_CONFIG="$PG_CONFIG" FKG_WERROR=1 >/dev/null
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
echo "build: pg_fk_guard installed into $("$PG_CONFIG" --pkglibdir)"
