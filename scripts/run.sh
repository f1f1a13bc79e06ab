#!/usr/bin/env bash
# Newcomer command 1: install what is missing, build, and start the service on its embedded
# defaults (http://127.0.0.1:8080, log in ./var/coursefactory.db). Extra arguments go to
# `coursefactory serve` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)" --target coursefactory
exec build/release/coursefactory serve "$@"
