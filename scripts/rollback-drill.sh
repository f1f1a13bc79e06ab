#!/usr/bin/env bash
# The README's "Rolling back", carried out with real binaries. Builds the previous release from a
# git ref (default f6a3115, schema version 3) in a worktree under build/previous-src, then:
# the old binary serves a fresh database and takes 2 courses; the new binary starts on it, backs
# it up by itself, migrates it and takes 1 course; the old binary refuses the migrated database,
# naming both schema versions; the backup is restored; the old binary serves the 2 old courses
# from it, and `coursefactory verify` passes.
#
# usage: scripts/rollback-drill.sh [REF [NEW_BINARY]]   (NEW_BINARY: build/release/coursefactory)
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/testkit/await_port.sh
ref=${1:-f6a3115}
new=${2:-build/release/coursefactory}
src=build/previous-src
old=$src/build/coursefactory
work=$(mktemp -d)
db=$work/var/events.db
pid=""
cleanup() {
  [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "== rollback drill: $*"; }
fail() {
  echo "rollback drill: FAIL: $*"
  for f in "$work"/*.out; do
    [[ -e $f ]] && { echo "--- $(basename "$f"):"; cat "$f"; }
  done
  exit 1
}

[[ -x $new ]] || fail "no new binary at $new (build it first: see README)"
git cat-file -e "$ref^{commit}" 2>/dev/null || fail "no commit $ref in this repository"

step "build the previous release ($ref) in $src"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$src" checkout -q --detach "$ref"
else
  rm -rf "$src"
  git worktree prune
  git worktree add -q --detach "$src" "$ref"
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Unoptimised (-O0): the drill only needs the old binary to behave, and -O0 compiles faster than
# -O2 (the drill is part of the test command's time budget).
cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O0" \
  "${launcher[@]}" >/dev/null
cmake --build "$src/build" -j"$(nproc)" --target coursefactory >"$work/build.out" 2>&1 \
  || fail "cannot build $ref"
echo "   old: $old ($(git -C "$src" log -1 --format='%h %s'))"
echo "   new: $new"

# start BINARY NAME: serves $db on a free port; sets $pid and $base.
start() {
  "$1" serve --port 0 --db "$db" --site-dir "$work/var/site" \
    --stripe-webhook-secret-file "$work/var/secret" >"$work/$2.out" 2>&1 &
  pid=$!
  local port
  port=$(await_port "$work/$2.out" "$pid") || fail "$2 exited early or did not report its port"
  base="http://127.0.0.1:$port"
  # Builds since schema 7 want a bearer token: the admin token their first start wrote next to
  # the secret. Older builds ignore the header.
  auth=()
  [[ -f $work/var/admin-token ]] && auth=(-H "Authorization: Bearer $(cat "$work/var/admin-token")")
  return 0
}
stop() {
  kill -TERM "$pid"
  local rc=0
  wait "$pid" || rc=$?
  pid=""
  [[ $rc == 0 ]] || fail "exit code $rc after SIGTERM"
}
# create TITLE: orders a free course, waits until it is published, prints its id.
create() {
  local body="{\"title\":\"$1\",\"language\":\"de\",\"audiences\":[\"Drill\"],\"lesson_count\":1,\"user_id\":\"drill\"}"
  local id course=""
  id=$(curl -s "${auth[@]}" -H 'Content-Type: application/json' -d "$body" "$base/v1/courses" \
    | grep -o '"course_id":"[^"]*"' | cut -d'"' -f4)
  [[ -n $id ]] || fail "POST /v1/courses gave no course id"
  for _ in $(seq 100); do
    course=$(curl -s "${auth[@]}" "$base/v1/courses/$id")
    [[ $course == *'"status":"published"'* ]] && { echo "$id"; return 0; }
    sleep 0.1
  done
  fail "course $id not published: $course"
}
# The ids the running service lists, sorted, one a line.
listed() { curl -s "${auth[@]}" "$base/v1/courses?limit=500" | grep -o '"course_id":"[^"]*"' | cut -d'"' -f4 | sort; }

step "old binary serves a fresh database and takes 2 courses"
start "$old" old-1
a=$(create "Vor dem Update eins")
b=$(create "Vor dem Update zwei")
echo "   courses $a $b"
stop

step "new binary starts on it: automatic backup, migration, 1 course"
start "$new" new
c=$(create "Nach dem Update")
echo "   course $c"
stop
line=$(grep 'backed up' "$work/new.out" || true)
if [[ -z $line ]]; then
  # No backup is right only when there was nothing to migrate: then the old binary still serves.
  start "$old" same-schema
  stop
  echo "rollback drill: skipped: $ref has this build's schema version, nothing to roll back across"
  exit 0
fi
echo "   $line"
backup=$(echo "$line" | grep -o "to $db\.v[0-9]*\.[0-9TZ-]*\.bak" | cut -c4-)
from=$(echo "$line" | grep -o '(schema version [0-9]*)' | grep -o '[0-9]*')
to=$(echo "$line" | grep -o 'to version [0-9]*' | grep -o '[0-9]*$')
[[ -f $backup ]] || fail "backup $backup named in the output does not exist"

step "old binary refuses the migrated database (schema $to, it knows $from)"
rc=0
"$old" serve --port 0 --db "$db" --site-dir "$work/var/site" \
  --stripe-webhook-secret-file "$work/var/secret" >"$work/refused.out" 2>&1 || rc=$?
[[ $rc != 0 ]] || fail "the old binary started on schema $to"
grep -q "version $to is newer than this build's $from" "$work/refused.out" \
  || fail "refusal does not name both versions"
echo "   exit $rc: $(cat "$work/refused.out")"

step "restore the backup (copy it over the database, remove -wal and -shm)"
cp "$backup" "$db"
rm -f "$db-wal" "$db-shm"
echo "   $backup -> $db"

step "old binary starts on the restored database and serves the 2 old courses"
start "$old" old-2
got=$(listed)
want=$(printf '%s\n' "$a" "$b" | sort)
[[ $got == "$want" ]] || fail "listed courses: $got (want $want)"
for id in $a $b; do
  [[ $(curl -s "${auth[@]}" "$base/v1/courses/$id") == *'"status":"published"'* ]] || fail "$id not published"
done
echo "   listed: $(echo "$got" | tr '\n' ' ')"
stop

step "coursefactory verify on the restored database"
"$old" verify --db "$db" >"$work/verify.out" 2>&1 || fail "verify: $(cat "$work/verify.out")"
echo "   $(cat "$work/verify.out")"
echo "rollback drill: passed"
