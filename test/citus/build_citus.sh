#!/usr/bin/env bash
# Builds Citus 13.2.2 from its source in the directory FKG_CITUS_SRC names
# (citus-13.2.2.tar.gz, the git archive of tag v13.2.2, + a patch for PostgreSQL 15.20's
# headers) and installs it into the PostgreSQL that PG_CONFIG names, unless
# that install already holds this Citus version.
# The build happens under build/citus (outside the sources; build/ is ignored).
# Exit status: 0 installed (or already there), 2 source not available, 1 failure.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
: "${PG_CONFIG:=pg_config}"
CITUS_SRC="${FKG_CITUS_SRC:-}"
VERSION=13.2.2
TARBALL="$CITUS_SRC/citus-$VERSION.tar.gz"
PATCH="$CITUS_SRC/citus-$VERSION-pg15-have_createdb_privilege.patch"

pkglibdir="$("$PG_CONFIG" --pkglibdir)"
sharedir="$("$PG_CONFIG" --sharedir)"
stamp="$sharedir/extension/citus.fkg-build-stamp"
if [ -f "$pkglibdir/citus.so" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$VERSION" ]; then
  echo "citus build: Citus $VERSION already installed in $pkglibdir"
  exit 0
fi
if [ -z "$CITUS_SRC" ] || [ ! -f "$TARBALL" ]; then
  echo "citus build: no Citus source at $TARBALL"
  exit 2
fi

# The build dependencies Citus's configure checks for (Debian 12).
PACKAGES=(libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev libpam0g-dev
  libxslt1-dev libreadline-dev libssl-dev autoconf flex bison)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "citus build: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD="$ROOT/build/citus"
rm -rf "$BUILD"
mkdir -p "$BUILD"
tar xzf "$TARBALL" -C "$BUILD"
cd "$BUILD/citus-$VERSION"
patch -p1 -s <"$PATCH"
start=$(date +%s)
{
  ./configure PG_CONFIG="$(command -v "$PG_CONFIG")" &&
    make -j"$(nproc)"
} >"$BUILD/build.log" 2>&1 || {
  tail -n 40 "$BUILD/build.log"
  echo "citus build: failed (log: $BUILD/build.log)"
  exit 1
}
# make install writes into the shared PostgreSQL install.
flock /tmp/fkg-install.lock make install >>"$BUILD/build.log" 2>&1 || {
  tail -n 20 "$BUILD/build.log"
  exit 1
}
echo "$VERSION" >"$stamp"
echo "citus build: Citus $VERSION built and installed in $(($(date +%s) - start)) s"
