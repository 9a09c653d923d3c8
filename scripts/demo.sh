#!/usr/bin/env bash
# The demo: builds and installs pg_fk_guard, starts a throwaway cluster,
# replays the README's story and shows the diagnostics (psql,
# demo/story.sql), then replays it as the application runs it: the Sequelize
# v6 migration through umzug, what the application gets back, and the repair
# with fix_plan() as a migration (demo/sequelize_story.mjs, with test/e2e's
# packages). Leaves no server running.
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG="${PG_CONFIG:-pg_config}"
scripts/setup.sh
scripts/build.sh
FKG_PORT="${FKG_PORT:-54330}"
source test/lib/cluster.sh
cluster_start
echo "demo: throwaway cluster on port $FKG_PORT (socket dir $FKG_CLUSTER_DIR)"
cluster_psql -v ON_ERROR_STOP=0 -f demo/story.sql

echo
echo "== The same story through Sequelize v6 + umzug (demo/sequelize_story.mjs) =="
source test/e2e/prepare.sh
if e2e_prepare; then
  node demo/sequelize_story.mjs
else
  echo "demo: the Sequelize part needs Node.js >= $E2E_NODE_MIN and test/e2e's packages (npm ci); skipped"
fi
