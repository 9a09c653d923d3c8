#!/usr/bin/env bash
# Benchmark: the npm package's diagnose() (clients/node/lib/functions, the
# engine in WebAssembly, catalog queries over the pg driver) against the
# extension's fk_guard.diagnose_fk_mismatches() on the same database, a large
# synthetic catalog (build_catalog.sql) in a throwaway cluster. Both with
# implied pairs (the default of each). Prints each one's best of
# FKG_BENCH_RUNS and the ratio (goal: at most 2x), with the load average
# (1, 5 and 15 minutes) before, beside the timings and after: on a loaded
# machine run it again.
#
# Scale (as test/bench/diagnose_catalog.sh): FKG_BENCH_PARENTS [5000],
# FKG_BENCH_CHILDREN [5000], FKG_BENCH_FKS_PER_CHILD [4],
# FKG_BENCH_MISMATCH_EVERY [4], FKG_BENCH_RUNS [5]: 10,000 tables, 20,000
# foreign keys, 5,000 mismatched.
#
# Usage: test/bench/npm_diagnose_bench.sh   (the extension installed, the
# engine built: clients/node/scripts/build-engine.sh, and clients/node's
# packages installed: npm ci)
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/../.." && pwd)"
: "${FKG_BENCH_PARENTS:=5000}"
: "${FKG_BENCH_CHILDREN:=5000}"
: "${FKG_BENCH_FKS_PER_CHILD:=4}"
: "${FKG_BENCH_MISMATCH_EVERY:=4}"
: "${FKG_BENCH_RUNS:=5}"
: "${FKG_PORT:=54342}"
# shellcheck source=../lib/cluster.sh
source "$ROOT_DIR/test/lib/cluster.sh"
[ -f "$ROOT_DIR/clients/node/lib/engine.js" ] || "$ROOT_DIR/clients/node/scripts/build-engine.sh"

cluster_start
cluster_psql -q -c "CREATE EXTENSION pg_fk_guard"
echo "scale: $FKG_BENCH_PARENTS referenced + $FKG_BENCH_CHILDREN referencing tables," \
     "$FKG_BENCH_FKS_PER_CHILD FKs per referencing table, 1 in $FKG_BENCH_MISMATCH_EVERY mismatched"
cluster_psql -q \
  -v parents="$FKG_BENCH_PARENTS" -v children="$FKG_BENCH_CHILDREN" \
  -v fks_per_child="$FKG_BENCH_FKS_PER_CHILD" -v mismatch_every="$FKG_BENCH_MISMATCH_EVERY" \
  -f "$BENCH_DIR/build_catalog.sql"
cluster_psql -q -c "VACUUM ANALYZE"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

cd "$ROOT_DIR/clients/node"
FKG_BENCH_RUNS="$FKG_BENCH_RUNS" node - <<'JS'
const pg = require('pg');
const { diagnose } = require('./lib/functions');
(async () => {
  const runs = Number(process.env.FKG_BENCH_RUNS);
  const time = async (fn) => { const t = process.hrtime.bigint(); const n = await fn(); return [Number(process.hrtime.bigint() - t) / 1e6, n]; };
  const best = { ext: Infinity, npm: Infinity };
  let rows = {};
  for (let i = 0; i < runs; i++) {
    // a fresh session each time, as a CI job or a migration run has
    for (const which of ['ext', 'npm']) {
      const c = new pg.Client();
      await c.connect();
      const [ms, n] = await time(async () => which === 'ext'
        ? (await c.query('SELECT * FROM fk_guard.diagnose_fk_mismatches()')).rows.length
        : (await diagnose(c)).length);
      await c.end();
      best[which] = Math.min(best[which], ms);
      rows[which] = n;
    }
  }
  if (rows.ext !== rows.npm) throw new Error(`row counts differ: extension ${rows.ext}, package ${rows.npm}`);
  console.log(`rows: ${rows.ext} (both)`);
  console.log(`fk_guard.diagnose_fk_mismatches(): best of ${runs}: ${best.ext.toFixed(0)} ms`);
  console.log(`diagnose() (npm package):          best of ${runs}: ${best.npm.toFixed(0)} ms`);
  const load = require('fs').readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`# bench ratio npm/extension: ${(best.npm / best.ext).toFixed(2)}x (goal <= 2x), load ${load}`);
})().catch((e) => { console.error(e); process.exit(1); });
JS
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
cluster_check_log
