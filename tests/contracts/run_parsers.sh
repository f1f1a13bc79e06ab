#!/usr/bin/env bash
# CTest contracts_parsers: the official parsers on docs/openapi.json and docs/asyncapi.json.
# The packages come from tests/contracts/package-lock.json (scripts/setup.sh runs `npm ci`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
if [[ ! -d $here/node_modules/@asyncapi/parser || ! -d $here/node_modules/@apidevtools/swagger-parser ]]; then
  if [[ -n ${CI:-} ]]; then
    echo "contracts_parsers: FAIL: tests/contracts/node_modules is missing (scripts/setup.sh runs npm ci)"
    exit 1
  fi
  echo "contracts_parsers: SKIPPED: run scripts/setup.sh (npm ci in tests/contracts) first"
  exit 77
fi
exec node "$here/parse_documents.js" "$root/docs/openapi.json" "$root/docs/asyncapi.json"
