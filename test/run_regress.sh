#!/usr/bin/env bash
# Runs the pg_regress suite (sql/, expected/) against a throwaway cluster.
# Assumes the extension is built and installed. Prints pg_regress's summary
# and, on failure, regression.diffs. Fails if the server log shows a crash.
set -uo pipefail
cd "$(dirname "$0")/.."
: "${FKG_PORT:=54329}"
source test/lib/cluster.sh
cluster_start || exit 1
make -s installcheck ISOLATION= TAP_TESTS= PG_CONFIG="$PG_CONFIG" >build/regress.log 2>&1
rc=$?
sed -n '/^test /,$p' build/regress.log | grep -E "^(test |ok |not ok |#|=+| *[0-9]+ of| *All )" || cat build/regress.log
if [ $rc -ne 0 ] && [ -f build/regress/regression.diffs ]; then
  echo "---- regression.diffs ----"
  cat build/regress/regression.diffs
fi
cluster_check_log || rc=1
exit $rc
