#!/usr/bin/env bash
# Smoke test of the real binary, as the README walkthrough uses it: start `coursefactory serve` on
# a fresh database and a free port; a free course is generated and published; a priced course
# waits for payment, `coursefactory pay` completes it, and its page is served; then SIGTERM must
# stop the service with exit code 0.
set -euo pipefail
source "$(dirname "$0")/../testkit/await_port.sh"
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

help=$("$bin" serve --help) # not piped into grep -q: an early exit would SIGPIPE the binary
[[ $help == *"--db"* ]] || fail "serve --help does not list --db"

"$bin" serve --port 0 --db "$dir/var/events.db" --site-dir "$dir/var/site" \
  --stripe-webhook-secret-file "$dir/var/secret" >"$dir/out" 2>&1 &
pid=$!
port=$(await_port "$dir/out" "$pid") || fail "the service exited early or did not report its port"
base="http://127.0.0.1:$port"
# The admin token the first start wrote next to the webhook secret, as the README uses it.
TOKEN=$(cat "$dir/var/admin-token")
auth=(-H "Authorization: Bearer $TOKEN")

body='{"title":"Sauerteig backen","language":"de","audiences":["Hobbybäcker"],"lesson_count":2,"user_id":"smoke"}'
code=$(curl -s "${auth[@]}" -o "$dir/created" -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" "$base/v1/courses")
[[ $code == 202 ]] || fail "POST /v1/courses answered $code: $(cat "$dir/created")"
id=$(grep -o '"course_id":"[^"]*"' "$dir/created" | cut -d'"' -f4)
[[ -n $id ]] || fail "no course_id in $(cat "$dir/created")"

# Waits until course $1 has status $2 (up to 30 s); prints the course JSON.
await_status() {
  local course=""
  for _ in $(seq 300); do
    course=$(curl -s "${auth[@]}" "$base/v1/courses/$1")
    [[ $course == *"\"status\":\"$2\""* ]] && { echo "$course"; return 0; }
    sleep 0.1
  done
  fail "course $1 did not reach $2: $course"
}
event_types() {
  curl -s "${auth[@]}" "$base/v1/courses/$1/events" | grep -o '"type":"course[^"]*"' | cut -d'"' -f4 | tr '\n' ' '
}

course=$(await_status "$id" published)
types=$(event_types "$id")
[[ $types == "course.generation.started course.generation.completed course.distribution.requested course.distribution.completed " ]] || fail "free course events: $types"
page=$(echo "$course" | grep -o '"url":"[^"]*"' | cut -d'"' -f4)
curl -sf "$page" | grep -q "Sauerteig backen" || fail "published page $page not served"

body='{"title":"Buchhaltung","language":"de","audiences":["Gründer"],"lesson_count":1,"user_id":"smoke","price":{"amount_cents":4900,"currency":"EUR"}}'
id=$(curl -s "${auth[@]}" -H 'Content-Type: application/json' -d "$body" "$base/v1/courses" | grep -o '"course_id":"[^"]*"' | cut -d'"' -f4)
await_status "$id" awaiting_payment >/dev/null
"$bin" pay "$id" --url "$base" --stripe-webhook-secret-file "$dir/var/secret" >"$dir/pay" 2>&1 || fail "pay: $(cat "$dir/pay")"
await_status "$id" published >/dev/null
types=$(event_types "$id")
[[ $types == "course.generation.started course.generation.completed course.payment.required course.payment.completed course.distribution.requested course.distribution.completed " ]] || fail "priced course events: $types"

code=$(curl -s "${auth[@]}" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"title":1}' "$base/v1/courses")
[[ $code == 422 ]] || fail "bad input answered $code, not 422"

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[[ $rc == 0 ]] || fail "exit code $rc after SIGTERM"
[[ -s $dir/var/events.db ]] || fail "no database file"
echo "smoke: 1 passed, 0 failed"
