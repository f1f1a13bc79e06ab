#!/usr/bin/env bash
# Side-by-side HTTP figures in one run: GET /v1/health (one actor hop, no write) and
# POST /v1/courses (202 after course.generation.started is durable), at 16 and 64 connections,
# against a release build on a fresh database. Prints a Markdown table of wrk's figures.
# Not the issue-5 benchmark suite yet: no bare-httplib baseline, no repetitions or medians.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)" --target coursefactory >/dev/null
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
build/release/coursefactory serve --port 0 --db "$dir/events.db" --site-dir "$dir/site" \
  --stripe-webhook-secret-file "$dir/secret" >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 100); do
  port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$dir/out" | grep -o '[0-9]*$' || true)
  [[ -n $port ]] && break
  sleep 0.1
done
duration=${DURATION:-10s}
echo "| request | connections | requests/s | p50 | p99 |"
echo "|---|---|---|---|---|"
for conns in 16 64; do
  for what in health post; do
    args=(-t2 -c"$conns" -d"$duration" --latency)
    url="http://127.0.0.1:$port/v1/health"
    [[ $what == post ]] && { args+=(-s bench/post_course.lua); url="http://127.0.0.1:$port/v1/courses"; }
    out=$(wrk "${args[@]}" "$url")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    errors=$(echo "$out" | grep -E "Non-2xx|Socket errors" | tr '\n' ' ' || true)
    echo "| $what | $conns | $rps | $p50 | $p99 | $errors"
  done
done
