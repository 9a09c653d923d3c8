#!/usr/bin/env bash
# Checks that need no server: every C++ file under src/ and test/unit/ is
# formatted as .clang-format says (clang-format 14; files listed in
# test/clang-format-pending.txt are reported, not failed), and src/sources.mk
# (the one list of source files for the Makefile and CMake) names every
# src/**/*.cpp but src/wasm's and nothing else, and test/mutation/mutants.txt is not stale.
# Last line: "style: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0

CLANG_FORMAT="${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}"
if [ -z "$CLANG_FORMAT" ]; then
  echo "not ok - clang-format: not installed (apt-get install clang-format-14)"; failed=$((failed + 1))
else
  pending=$(grep -vE '^(#|$)' test/clang-format-pending.txt 2>/dev/null || true)
  bad=()
  still_pending=()
  while IFS= read -r -d '' f; do
    if "$CLANG_FORMAT" --dry-run --Werror "$f" >/dev/null 2>&1; then
      if grep -qx "$f" <<<"$pending"; then echo "note: $f is formatted now: delete its line in test/clang-format-pending.txt"; fi
    elif grep -qx "$f" <<<"$pending"; then
      still_pending+=("$f")
    else
      bad+=("$f")
    fi
  done < <(find src test/unit -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print0 | sort -z)
  [ ${#still_pending[@]} -gt 0 ] && echo "note: not yet formatted (test/clang-format-pending.txt): ${still_pending[*]}"
  if [ ${#bad[@]} -eq 0 ]; then
    echo "ok - C++ sources are clang-formatted ($("$CLANG_FORMAT" --version | sed -E 's/.*version ([0-9.]+).*/\1/'))"
    passed=$((passed + 1))
  else
    echo "not ok - not clang-formatted (run: $CLANG_FORMAT -i <file>):"
    for f in "${bad[@]}"; do
      echo "    $f"
      "$CLANG_FORMAT" --dry-run "$f" 2>&1 | grep -m 3 -A2 "warning:" | sed 's/^/      /'
    done
    failed=$((failed + 1))
  fi
fi

listed=$(sed -nE 's/^FKG_[A-Z]+_SOURCES[[:space:]]*\+=[[:space:]]*([^[:space:]#]+).*/\1/p' src/sources.mk | sort)
# src/wasm/*.cpp: the npm package's WebAssembly entry points, which
# clients/node/scripts/build-engine.sh compiles (all of them) with src/core.
present=$(find src -name '*.cpp' -not -path 'src/wasm/*' | sort)
if [ "$listed" = "$present" ]; then
  echo "ok - src/sources.mk lists every source file ($(wc -l <<<"$listed") files)"; passed=$((passed + 1))
else
  echo "not ok - src/sources.mk and src/ differ (< listed only, > on disk only):"
  diff <(echo "$listed") <(echo "$present") | grep '^[<>]' | sed 's/^/    /'
  failed=$((failed + 1))
fi

# The mutation harness's list (test/mutation/mutants.txt): every original text
# still found exactly once in its file, so `scripts/test.sh --mutation` runs.
if out=$(python3 test/mutation/run.py --check 2>&1); then
  echo "ok - test/mutation/mutants.txt matches src/ (${out#mutation: })"; passed=$((passed + 1))
else
  echo "not ok - test/mutation/mutants.txt is stale (update each mutant's original text):"
  sed 's/^/    /' <<<"$out"
  failed=$((failed + 1))
fi

echo "style: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
