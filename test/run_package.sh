#!/usr/bin/env bash
# Builds the Debian package the way a packager would (dpkg-buildpackage -us
# -uc -b from a copy of the tree, debian/), installs it with dpkg -i, and
# creates the extension from it on a throwaway cluster: a fresh install of
# the newest version, and 1.0 updated to it. Installs what it needs first
# (debhelper, postgresql-server-dev-all, dpkg-dev, fakeroot).
#
# The package installs the same files as "make install", into the system's
# PostgreSQL: it is purged at the end and the work tree's build installed
# again (scripts/build.sh), so the system is left as scripts/test.sh found
# it. Like the other runners it expects the caller to hold the install lock
# when other work may install into the same PostgreSQL.
# Leaves the .deb and the build log in build/package/.
# Last line: "package: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
: "${PG_CONFIG:=pg_config}"
: "${FKG_PORT:=54371}"
out="$ROOT/build/package"
rm -rf "$out"
mkdir -p "$out"

passed=0
failed=0
check() { # check <description> <command...>
  local what="$1"
  shift
  if "$@" >>"$out/checks.log" 2>&1; then
    echo "ok - $what"; passed=$((passed + 1))
  else
    echo "not ok - $what (see $out/checks.log)"; failed=$((failed + 1))
  fi
}
finish() {
  echo "package: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
need=(debhelper postgresql-server-dev-all dpkg-dev fakeroot)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "package: installing ${missing[*]}"
  $SUDO apt-get update -qq -o DPkg::Lock::Timeout=300
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
    --no-install-recommends "${missing[@]}" >"$out/apt.log" 2>&1 || { cat "$out/apt.log"; failed=1; finish; }
fi

# A copy of the tree as git sees it (tracked and new files, nothing ignored).
work="$(mktemp -d /tmp/pg_fk_guard_deb.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/pg-fk-guard"
git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$work/pg-fk-guard" 2>/dev/null
# (files deleted in the work tree but still tracked are simply not there)

check "debian/control is up to date with debian/control.in" \
  bash -c "cd '$work/pg-fk-guard' && pg_buildext checkcontrol"

start=$(date +%s%N)
(cd "$work/pg-fk-guard" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1
rc=$?
build_ms=$((($(date +%s%N) - start) / 1000000))
build_seconds="$((build_ms / 1000)).$((build_ms % 1000 / 100))"
if [ $rc -ne 0 ]; then
  tail -n 40 "$out/build.log"
  echo "not ok - dpkg-buildpackage -us -uc -b"; failed=$((failed + 1)); finish
fi
echo "ok - dpkg-buildpackage -us -uc -b ($build_seconds s)"; passed=$((passed + 1))
echo "$build_seconds" >"$out/build-seconds"
cp "$work"/*.deb "$out/"

extversion=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" pg_fk_guard.control)
majors=$(cd "$work/pg-fk-guard" && pg_buildext supported-versions)
major=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
deb=$(ls "$out"/postgresql-"$major"-pg-fk-guard_*.deb 2>/dev/null | head -n 1)
check "one package per supported server version ($(echo $majors)), among them postgresql-$major-pg-fk-guard" \
  test -n "$deb"
[ -n "$deb" ] || finish
check "the package holds the module, the control files and every script" bash -c "
  dpkg-deb -c '$deb' | awk '{print \$6}' >'$out/contents'
  for f in lib/postgresql/$major/lib/pg_fk_guard.so share/postgresql/$major/extension/pg_fk_guard.control \
           share/postgresql/$major/extension/pg_fk_guard--$extversion.sql \
           $(cd extension && ls pg_fk_guard--*.sql pg_fk_guard--*.control | sed "s|^|share/postgresql/$major/extension/|" | tr '\n' ' ')
  do grep -q \"/usr/\$f\$\" '$out/contents' || { echo \"missing: \$f\"; exit 1; }; done"

check "dpkg -i installs it" $SUDO dpkg -i "$deb"
check "dpkg says the installed module is the package's" bash -c "dpkg -S '$("$PG_CONFIG" --pkglibdir)/pg_fk_guard.so' | grep -q postgresql-$major-pg-fk-guard"

# CREATE EXTENSION from the package's files.
source test/lib/cluster.sh
cleanup() { cluster_stop; rm -rf "$work"; }
if cluster_start; then
  trap cleanup EXIT
  check "CREATE EXTENSION pg_fk_guard: the newest version" cluster_psql -c "CREATE EXTENSION pg_fk_guard" \
    -c "SELECT 1 / (extversion = '$extversion')::int FROM pg_extension WHERE extname = 'pg_fk_guard'"
  check "the guard refuses an impossible foreign key" bash -c "
    out=\$('$PG_BINDIR/psql' -X -c 'CREATE TABLE users (id int PRIMARY KEY)' \
      -c 'CREATE TABLE sessions (id int, \"userId\" uuid REFERENCES users)' 2>&1)
    echo \"\$out\"; echo \"\$out\" | grep -q 'ERROR:  foreign key constraint \"sessions_userId_fkey\" cannot be implemented'"
  check "the diagnostic functions run" cluster_psql -c "SELECT * FROM fk_guard.diagnose_fk_mismatches()" \
    -c "SELECT kind FROM fk_guard.classify_key_pair('integer', 'bigint')"
  check "CREATE EXTENSION pg_fk_guard VERSION '1.0', then ALTER EXTENSION pg_fk_guard UPDATE" \
    bash -c "'$PG_BINDIR/psql' -X -v ON_ERROR_STOP=1 -c 'CREATE DATABASE updated' &&
      '$PG_BINDIR/psql' -X -v ON_ERROR_STOP=1 -d updated -c \"CREATE EXTENSION pg_fk_guard VERSION '1.0'\" \
        -c 'ALTER EXTENSION pg_fk_guard UPDATE' -c 'SELECT count(*) FROM fk_guard.diagnose_fk_mismatches()'"
  cluster_check_log >>"$out/checks.log" 2>&1 || { echo "not ok - server log shows a crash"; failed=$((failed + 1)); }
  cluster_stop
else
  echo "not ok - throwaway cluster"; failed=$((failed + 1))
fi

# Leave the system as it was: the work tree's build installed, no package.
check "dpkg --purge removes the package" $SUDO dpkg --purge "postgresql-$major-pg-fk-guard"
check "scripts/build.sh installs the work tree's build again" scripts/build.sh
check "the work tree's scripts are installed" \
  cmp extension/pg_fk_guard--1.0.sql "$("$PG_CONFIG" --sharedir)/extension/pg_fk_guard--1.0.sql"
finish
