#!/usr/bin/env bash
# Installs what coursefactory needs from Debian's archive, and only what is missing:
# quick and silent when everything is there already.
set -euo pipefail

packages=(
  cmake g++ make pkg-config clang-format curl
  libcaf-dev libsqlitecpp-dev libsqlite3-dev libcpp-httplib-dev nlohmann-json3-dev
  libboost-test-dev libssl-dev openssl libjemalloc-dev libsimdjson-dev libhiredis-dev
  python3 python3-prometheus-client python3-brotli node-eventsource
  redis-server redis-tools python3-redis
  clang libclang-rt-14-dev
  chromium # the console's browser test (tests/browser/), driven by puppeteer-core from npm
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm for the browser test's pinned puppeteer-core: Debian's package, unless a Node.js that
# brings its own npm (NodeSource) is installed.
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
