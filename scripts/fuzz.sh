#!/usr/bin/env bash
# The fuzz phase of scripts/test.sh (README, "Fuzzing"): builds the libFuzzer targets of
# tests/fuzz/ (CMake option CF_FUZZ, clang++, ASan+UBSan) in build/fuzz and runs each one for
# FUZZ_SECONDS (default 20) seconds, replaying its corpus tests/fuzz/corpus/<name>/ first.
# A crash, a sanitizer report, a leak, a slow input or a broken property fails it (exit 1); the
# input is kept as build/fuzz/crashes/<name>-crash-<sha1>: fix the bug, then add the input to the
# corpus so every later run replays it. New inputs a run finds go to build/fuzz/work/<name>/,
# not into the committed corpus.
# Usage: scripts/fuzz.sh [target...]   (default: all; a target is e.g. course_request)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
build=build/fuzz
targets=(course_request stripe_event signature_header event_decode bus_inbound redis_url)
if (($#)); then targets=("$@"); fi

cmake -S . -B "$build" -DCF_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/%/_fuzz}"

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tests/ubsan.supp"
export ASAN_OPTIONS="detect_leaks=1"
mkdir -p "$build/crashes"
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$build/work/$t"
  log="$build/$t.log"
  dict=()
  [[ $t != redis_url && $t != signature_header ]] && dict=(-dict=tests/fuzz/json.dict)
  if "$build/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "${dict[@]}" \
    -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" \
    "$build/work/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
    echo "fuzz $t: ok, $runs runs in ${secs} s ($((runs / (secs > 0 ? secs : 1))) exec/s)," \
      "corpus $(find "tests/fuzz/corpus/$t" -type f | wc -l) + $(find "$build/work/$t" -type f | wc -l) found"
  else
    failed+=("$t")
    echo "fuzz $t: FAILED (log: $log)"
    grep -E "ERROR|runtime error|property broken|SUMMARY|Test unit written" "$log" | head -20
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
