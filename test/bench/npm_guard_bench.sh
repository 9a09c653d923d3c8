#!/usr/bin/env bash
# Benchmark: the npm package's guard (clients/node, guard()) -- its cost per
# migration statement, median, probe cache warm, against the same statement
# sent without the guard in the same run (test/bench/npm_guard_bench.js).
# A throwaway cluster (test/lib/cluster.sh) without the extension; the
# engine is built when missing, the packages installed from the lockfile
# when missing. Prints the load average before and after: on a shared
# machine, read the figures with it.
#
# The cluster lives in memory (/dev/shm) where there is one: every
# statement is rolled back, so the run creates and unlinks thousands of
# files, and on a disk file system each CREATE TABLE then varies from 1 to
# 4 ms with the file system's own bookkeeping (the same in both sessions,
# but it buries the guard's cost in noise). FKG_CLUSTER_PARENT=/tmp measures
# on disk.
#
# Environment: FKG_PORT [54412], FKG_BENCH_STATEMENTS [300] per row and
# session, FKG_BENCH_ROWS (create_ref add_fk add_column_ref add_fk_soft
# add_fk_refused no_fk), FKG_CLUSTER_PARENT [/dev/shm if writable, else /tmp].
# Usage: test/bench/npm_guard_bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${PG_CONFIG:=pg_config}"
: "${FKG_PORT:=54412}"
[ -f clients/node/lib/engine.js ] || clients/node/scripts/build-engine.sh
[ -d clients/node/node_modules/pg ] || (cd clients/node && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
if [ -z "${FKG_CLUSTER_PARENT:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export FKG_CLUSTER_PARENT=/dev/shm; fi
source test/lib/cluster.sh
cluster_start
echo "cluster in: ${FKG_CLUSTER_PARENT:-/tmp}"
export PGHOST PGPORT PGUSER PGDATABASE=npm_bench
cluster_psql -q -d postgres -c "CREATE DATABASE npm_bench"
echo "load before: $(uptime | sed 's/.*load average: //')"
node test/bench/npm_guard_bench.js
echo "load after: $(uptime | sed 's/.*load average: //')"
