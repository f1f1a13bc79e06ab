#!/usr/bin/env bash
# Newcomer command 2 (and CI's): install what is missing, check formatting, then build and run
# every test twice through CTest: an optimised build, and an ASan+UBSan build. After the optimised
# build, the rollback drill (scripts/rollback-drill.sh) when git history has the previous release.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== clang-format"
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

jobs=$(nproc)
for variant in release asan; do
  echo "== build and test: $variant"
  flags=(-DCMAKE_BUILD_TYPE=Release)
  [[ $variant == asan ]] && flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCF_SANITIZE=ON)
  cmake -S . -B "build/$variant" "${flags[@]}" >/dev/null
  cmake --build "build/$variant" -j"$jobs"
  ctest --test-dir "build/$variant" --output-on-failure
  if [[ $variant == release ]]; then
    # The README's "Rolling back", with the previous release built from git history.
    drill_ref=f6a3115
    if git cat-file -e "$drill_ref^{commit}" 2>/dev/null; then
      echo "== rollback drill (previous release $drill_ref)"
      scripts/rollback-drill.sh "$drill_ref" build/release/coursefactory
    else
      echo "== rollback drill: SKIPPED: commit $drill_ref is not in this checkout (shallow clone?)"
    fi
  fi
done
