#!/usr/bin/env bash
# Newcomer command 2 (and CI's): install what is missing, check formatting, then build and run
# every test twice through CTest: an optimised build, and an ASan+UBSan build.
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
done
