#!/usr/bin/env bash
# The console in a real browser (CTest entry console_browser): installs the pinned puppeteer-core
# (package-lock.json, npm ci, no browser download) into OUT, then drives Debian's chromium
# against the real binary. Screenshots go to OUT/screenshots.
# usage: run.sh BINARY OUT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=$1
out=$2
mkdir -p "$out"
for tool in chromium node npm; do
  command -v "$tool" >/dev/null || { echo "console_browser: $tool is missing: run scripts/setup.sh" >&2; exit 1; }
done
# npm ci again only when the lock file changed.
if ! cmp -s "$here/package-lock.json" "$out/package-lock.json" || [[ ! -d $out/node_modules/puppeteer-core ]]; then
  cp "$here/package.json" "$here/package-lock.json" "$out/"
  (cd "$out" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
exec node "$here/console_test.cjs" "$binary" "$out"
