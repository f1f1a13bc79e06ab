#!/usr/bin/env bash
# Smoke test of the real binary, as a newcomer uses it: start `coursefactory serve` on a fresh
# database and a free port, create a course with curl, read it back generated, see its events in
# order, then stop it with SIGTERM and expect exit code 0.
set -euo pipefail
bin=$1
dir=$(mktemp -d)
pid=""
cleanup() {
  [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "smoke: FAIL: $*"
  echo "--- service output:"
  cat "$dir/out" || true
  exit 1
}

"$bin" serve --help | grep -q -- "--db" || fail "serve --help does not list --db"

"$bin" serve --port 0 --db "$dir/var/events.db" >"$dir/out" 2>&1 &
pid=$!
port=""
for _ in $(seq 100); do
  port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$dir/out" | grep -o '[0-9]*$' || true)
  [[ -n $port ]] && break
  kill -0 "$pid" 2>/dev/null || fail "the service exited early"
  sleep 0.1
done
[[ -n $port ]] || fail "the service did not report its port"
base="http://127.0.0.1:$port"

body='{"title":"Sauerteig backen","language":"de","audiences":["Hobbybäcker"],"lesson_count":2,"user_id":"smoke"}'
code=$(curl -s -o "$dir/created" -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" "$base/v1/courses")
[[ $code == 202 ]] || fail "POST /v1/courses answered $code: $(cat "$dir/created")"
id=$(grep -o '"course_id":"[^"]*"' "$dir/created" | cut -d'"' -f4)
[[ -n $id ]] || fail "no course_id in $(cat "$dir/created")"

status=""
for _ in $(seq 100); do
  status=$(curl -s "$base/v1/courses/$id" | grep -o '"status":"[^"]*"' | head -1 | cut -d'"' -f4)
  [[ $status == generated ]] && break
  sleep 0.1
done
[[ $status == generated ]] || fail "course $id is '$status', not generated"

types=$(curl -s "$base/v1/courses/$id/events" | grep -o '"type":"course[^"]*"' | cut -d'"' -f4 | tr '\n' ' ')
[[ $types == "course.generation.started course.generation.completed " ]] || fail "events: $types"

code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"title":1}' "$base/v1/courses")
[[ $code == 422 ]] || fail "bad input answered $code, not 422"

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[[ $rc == 0 ]] || fail "exit code $rc after SIGTERM"
[[ -s $dir/var/events.db ]] || fail "no database file"
echo "smoke: 1 passed, 0 failed"
