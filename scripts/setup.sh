#!/usr/bin/env bash
# Installs what coursefactory needs from Debian's archive, and only what is missing:
# quick and silent when everything is there already.
set -euo pipefail

packages=(
  cmake g++ make pkg-config clang-format curl
  libcaf-dev libsqlitecpp-dev libsqlite3-dev libcpp-httplib-dev nlohmann-json3-dev
  libboost-test-dev libssl-dev openssl libjemalloc-dev libsimdjson-dev libhiredis-dev
  python3 python3-prometheus-client python3-brotli node-eventsource python3-jsonschema
  redis-server redis-tools python3-redis
  clang libclang-rt-14-dev
  libsystemd-dev help2man dpkg-dev file bash-completion systemd
)

# npm for the contract tests' parsers; Debian's, unless some npm is there already.
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# promtool (checks and unit-tests docs/monitoring/alerts.yml) comes in Debian's prometheus
# package, whose install would also set up a Prometheus server: take the tool alone.
if ! command -v promtool >/dev/null; then
  echo "setup: installing promtool from Debian's prometheus package"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  tmp=$(mktemp -d)
  (cd "$tmp" && { apt-get download -qq prometheus 2>/dev/null \
    || { $sudo apt-get update -qq && apt-get download -qq prometheus 2>/dev/null; } } \
    && dpkg -x prometheus_*.deb x)
  $sudo install -m 0755 "$tmp/x/usr/bin/promtool" /usr/local/bin/promtool
  rm -rf "$tmp"
fi

# Test-only npm packages, pinned by tests/contracts/package-lock.json: the official OpenAPI and
# AsyncAPI parsers (CTest contracts_parsers). Installed again only when the lock file changed.
contracts=$(dirname "$0")/../tests/contracts
if [[ ! -f $contracts/node_modules/.package-lock.json
      || $contracts/package-lock.json -nt $contracts/node_modules/.package-lock.json ]]; then
  echo "setup: npm ci in tests/contracts"
  npm ci --prefix "$contracts" --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null
fi
