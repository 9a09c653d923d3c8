#!/usr/bin/env bash
# The demo: builds and installs pg_fk_guard, starts a throwaway cluster,
# replays the story from DEVELOPERS.md and shows the diagnostics. Leaves no
# server running.
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
