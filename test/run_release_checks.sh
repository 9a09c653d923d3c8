#!/usr/bin/env bash
# Release metadata agrees with itself: META.json (PGXN) names the control
# file's default_version, the Debian changelog and CHANGELOG.md have an entry
# for it, debian/control is generated from debian/control.in, every file
# META.json names exists, and "make dist" builds a tarball with what PGXN and
# a packager need. No server needed.
# Last line: "release: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
: "${PG_CONFIG:=pg_config}"
passed=0
failed=0
check() { # check <description> <command...>
  local what="$1"
  shift
  local msg
  if msg=$("$@" 2>&1); then
    echo "ok - $what"; passed=$((passed + 1))
  else
    echo "not ok - $what"; [ -n "$msg" ] && echo "$msg" | sed 's/^/    /'; failed=$((failed + 1))
  fi
}

version=$(sed -n "s/^default_version *= *'\(.*\)'\$/\1/p" pg_fk_guard.control)
# PGXN requires semantic versions (major.minor.patch): the control file's
# "1.1" is "1.1.0" there. Same version, written the way each format requires.
case "$version" in
  *.*.*) semver="$version" ;;
  *.*) semver="$version.0" ;;
  *) semver="$version.0.0" ;;
esac

check "pg_fk_guard.control has a default_version ($version)" test -n "$version"
check "META.json is valid JSON" python3 -c 'import json,sys; json.load(open("META.json"))'
check "META.json version is the control file's default_version ($semver)" python3 - "$semver" <<'PY'
import json, sys
m = json.load(open("META.json"))
want = sys.argv[1]
got = {"version": m.get("version"), "provides.pg_fk_guard.version": m["provides"]["pg_fk_guard"].get("version")}
bad = {k: v for k, v in got.items() if v != want}
if bad:
    sys.exit("META.json has %s, the control file says %s" % (bad, want))
PY
check "META.json names files that exist" python3 - <<'PY'
import json, os, sys
m = json.load(open("META.json"))
missing = [f for p in m["provides"].values() for f in (p.get("file"), p.get("docfile")) if f and not os.path.exists(f)]
if missing:
    sys.exit("missing: " + ", ".join(missing))
PY
check "META.json: license postgresql, meta-spec 1.0.0" python3 -c '
import json; m = json.load(open("META.json"))
assert m["license"] == "postgresql" and m["meta-spec"]["version"] == "1.0.0", m'
check "debian/changelog's upstream version is $version" \
  bash -c "dpkg-parsechangelog -S Version | sed 's/-[^-]*\$//' | grep -qx '$version'"
check "CHANGELOG.md has a section for $version" grep -qE "^## $version( |\$)" CHANGELOG.md
check "LICENSE is the PostgreSQL License" grep -q "^PostgreSQL License" LICENSE
check "the released scripts and the upgrade script to $version exist" bash -c "
  ls extension/pg_fk_guard--*--$version.sql >/dev/null"
if command -v pg_buildext >/dev/null; then
  check "debian/control is generated from debian/control.in (pg_buildext checkcontrol)" pg_buildext checkcontrol
fi

# make dist: from a scratch clone of HEAD, as a release manager would.
tmp=$(mktemp -d /tmp/pg_fk_guard_dist.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
check "make dist builds pg_fk_guard-$version.tar.gz" bash -c "
  git clone -q --no-local . '$tmp/clone' && make -s -C '$tmp/clone' dist PG_CONFIG='$PG_CONFIG'"
check "the tarball unpacks to pg_fk_guard-$version/ with META.json, LICENSE, the control file and the scripts" bash -c "
  tar tzf '$tmp/clone/pg_fk_guard-$version.tar.gz' >'$tmp/list' &&
  for f in META.json LICENSE CHANGELOG.md README.md Makefile pg_fk_guard.control extension/pg_fk_guard.sql \
           extension/pg_fk_guard--1.0.sql debian/control debian/rules; do
    grep -qx 'pg_fk_guard-$version/'\$f '$tmp/list' || { echo \"missing: \$f\"; exit 1; }
  done"
check "the tarball builds with PGXS" bash -c "
  tar xzf '$tmp/clone/pg_fk_guard-$version.tar.gz' -C '$tmp' && make -s -C '$tmp/pg_fk_guard-$version' -j\$(nproc) PG_CONFIG='$PG_CONFIG' >/dev/null"

echo "release: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
