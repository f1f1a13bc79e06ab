#!/usr/bin/env bash
# The benchmark suite of issue 5: installs what it needs (Debian packages), builds the release
# binary and the bench programs, runs every measurement RUNS times interleaved (each contender
# right after the other, so they share the machine's mood), and prints ONE Markdown table of
# medians, also written to bench/RESULTS.md.
#
#   bench/run.sh                      # defaults: about 11 minutes on 2 cores
#   RUNS=5 APPEND_SECONDS=5 bench/run.sh
#   ONLY=bus RUNS=3 bench/run.sh      # section 5 alone (the bus relay, issue 12): a few minutes
#
# Knobs (environment): RUNS (3), APPEND_SECONDS (3, per append/raw run), WRK_DURATION (5s),
# LOG_EVENTS (1000000, the big log), SMALL_LOG_EVENTS (100000), LIFECYCLE_SECONDS (8),
# LIFECYCLE_CLIENTS (16), OUT (bench/RESULTS.md), ONLY (empty: every section; "bus": section 5
# only, whose block then replaces the "## The bus relay" part of OUT and leaves the rest of it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
RUNS=${RUNS:-3}
APPEND_SECONDS=${APPEND_SECONDS:-3}
WRK_DURATION=${WRK_DURATION:-5s}
LOG_EVENTS=${LOG_EVENTS:-1000000}
SMALL_LOG_EVENTS=${SMALL_LOG_EVENTS:-100000}
LIFECYCLE_SECONDS=${LIFECYCLE_SECONDS:-8}
LIFECYCLE_CLIENTS=${LIFECYCLE_CLIENTS:-16}
OUT=${OUT:-bench/RESULTS.md}
ONLY=${ONLY:-}
if [[ -n $ONLY && $ONLY != bus ]]; then
  echo "bench: ONLY must be empty or \"bus\", not \"$ONLY\"" >&2
  exit 2
fi

say() { echo "bench: $*" >&2; }

# --- install and build ----------------------------------------------------------------------
scripts/setup.sh
missing=()
if [[ -z $ONLY ]] && ! command -v wrk >/dev/null; then missing+=(wrk); fi # not for ONLY=bus
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-benchmark >/dev/null || missing+=(redis-tools)
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DCF_BENCH=ON "${launcher[@]}" >/dev/null
targets=(relay_bench)
[[ -z $ONLY ]] && targets+=(coursefactory append_bench bare_httplib rest_only lifecycle_bench)
cmake --build build/release -j"$(nproc)" --target "${targets[@]}" >/dev/null
bin=$root/build/release

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- helpers ----------------------------------------------------------------------------------
# median of the arguments (numbers)
median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {
    if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'
}
# median of a space-separated list in one argument
m() { median ${1}; }
# value of key=... in a line of key=value pairs
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k {print $2}'; }
# wrk's latency ("812.00us", "1.23ms", "1.01s") in milliseconds
to_ms() {
  awk -v x="$1" 'BEGIN { v = x + 0
    if (x ~ /us$/) v /= 1000; else if (x ~ /ms$/) v = v; else if (x ~ /s$/) v *= 1000
    printf "%.2f", v }'
}
fmt() { awk -v x="$1" 'BEGIN { if (x == "n/a") print x; else printf "%\047.0f", x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "n/a" }'; }
yes_no() { if awk "BEGIN { exit !($1) }"; then echo "**yes**"; else echo "**no**"; fi; }
now_ns() { date +%s%N; }
clk_tck=$(getconf CLK_TCK)
# CPU time (user + system, in clock ticks) a process has used so far (/proc/PID/stat 14 and 15).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Waits until a process is idle again (at most 1 tick of CPU in 0.3 s; 15 s at most).
settle() {
  local prev cur
  prev=$(cpu_ticks "$1")
  for _ in $(seq 50); do
    sleep 0.3
    cur=$(cpu_ticks "$1")
    ((cur - prev <= 1)) && return 0
    prev=$cur
  done
}

# Starts `coursefactory serve` (extra flags in "$@") on a free port; sets srv_pid, srv_port and
# srv_token (the admin token a service with a new database writes next to its secret file).
start_service() {
  local out=$work/serve.$RANDOM.out
  # One wrk or bench client stands for many users: no per-client rate limit here.
  "$bin/coursefactory" serve --http-port 0 --payment-stripe-webhook-secret whsec_bench \
    --http-rate-limit-per-s 0 --payment-stripe-webhook-secret-file "$work/var/stripe-webhook-secret" \
    "$@" >"$out" 2>&1 &
  srv_pid=$!
  pids+=("$srv_pid")
  srv_port=""
  for _ in $(seq 300); do
    srv_port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$out" | grep -o '[0-9]*$' || true)
    if [[ -n $srv_port ]]; then
      srv_token=$(cat "$work/var/admin-token")
      return 0
    fi
    sleep 0.02
  done
  say "the service did not start: $(cat "$out")"
  exit 1
}
stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

if [[ -z $ONLY ]]; then
  # --- 1. EventLog appends vs raw SQLite vs Redis Streams --------------------------------------
  say "1/6 appends (EventLog, raw SQLite, Redis XADD), $RUNS runs"
  rport=$((20000 + RANDOM % 20000))
  mkdir -p "$work/redis"
  redis-server --port "$rport" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes \
    --appendfsync always --save "" >"$work/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
  # The payload of the EventLog's events (course.generation.started), for XADD's value.
  payload='{"attempt":1,"course_id":"0190e4c2-7a1b-7cde-8f00-0123456789ab","parameters":{"audiences":["engineers"],"description":"How to measure a service honestly.","dry_run":false,"language":"en","lesson_count":1,"price":{"amount_cents":4900,"currency":"EUR"},"title":"Benchmarking basics","user_id":"bench"},"title":"Benchmarking basics","user_id":"bench"}'
  declare -A log_eps raw_eps redis_eps batch_seen
  thread_eps=""
  for run in $(seq "$RUNS"); do
    for p in 1 16 64; do
      out=$("$bin/append_bench" actors --db "$work/append-$run-$p.db" --producers "$p" \
        --seconds "$APPEND_SECONDS")
      log_eps[$p]+=" $(field events_per_s "$out")"
      b=$(field mean_batch "$out")
      batch_seen[$p]+=" $b"
      out=$("$bin/append_bench" raw --db "$work/raw-$run-$p.db" --seconds "$APPEND_SECONDS" \
        --batch "$(awk -v b="$b" 'BEGIN { printf "%d", b + 0.5 }')")
      raw_eps[$p]+=" $(field events_per_s "$out")"
      n=$((p == 1 ? 3000 : 20000 * (p >= 64 ? 2 : 1)))
      out=$(redis-benchmark -p "$rport" -c "$p" -n "$n" --csv XADD bench '*' data "$payload" | tail -1)
      redis_eps[$p]+=" $(awk -F'","' '{print $(NF-6)}' <<<"$out")"
      rm -f "$work"/append-"$run"-"$p".db* "$work"/raw-"$run"-"$p".db*
    done
    # The same with 64 OS threads, each blocking on its own scoped_actor (for the notes).
    out=$("$bin/append_bench" append --db "$work/threads-$run.db" --producers 64 \
      --seconds "$APPEND_SECONDS")
    thread_eps+=" $(field events_per_s "$out")"
    rm -f "$work"/threads-"$run".db*
  done
  redis-cli -p "$rport" shutdown nosave >/dev/null 2>&1 || true

  # --- 2. POST /v1/courses under wrk vs a bare cpp-httplib handler -----------------------------
  say "2/6 POST /v1/courses under wrk vs bare cpp-httplib, $RUNS runs"
  start_service --storage-db "$work/http.db" --site-dir "$work/site"
  svc_pid=$srv_pid svc_port=$srv_port
  "$bin/bare_httplib" >"$work/bare.out" 2>&1 &
  bare_pid=$!
  pids+=("$bare_pid")
  # The REST-only twin (issue 18), with the service's token.
  "$bin/rest_only" --db "$work/rest.db" --token "$srv_token" >"$work/rest.out" 2>&1 &
  rest_pid=$!
  pids+=("$rest_pid")
  for _ in $(seq 100); do grep -q listening "$work/bare.out" && break; sleep 0.05; done
  for _ in $(seq 100); do grep -q listening "$work/rest.out" && break; sleep 0.05; done
  bare_port=$(grep -o '[0-9]*$' "$work/bare.out")
  rest_port=$(grep -o '[0-9]*$' "$work/rest.out")
  declare -A rps p50 p99 errs cpu_us
  for run in $(seq "$RUNS"); do
    for c in 16 64; do
      for who in svc rest bare; do
        port=$svc_port pid=$svc_pid
        [[ $who == bare ]] && port=$bare_port pid=$bare_pid
        [[ $who == rest ]] && port=$rest_port pid=$rest_pid
        t0=$(cpu_ticks "$pid")
        out=$(CF_TOKEN=$srv_token wrk -t2 -c"$c" -d"$WRK_DURATION" --latency -s bench/post_course.lua \
          "http://127.0.0.1:$port/v1/courses")
        # The service generates after its 202: its CPU counts until it is idle again.
        settle "$pid"
        t1=$(cpu_ticks "$pid")
        total=$(awk '/requests in/ {print $1}' <<<"$out")
        bad=$(awk '/Non-2xx or 3xx responses/ {print $NF}' <<<"$out")
        accepted=$((total - ${bad:-0}))
        cpu_us[$who$c]+=" $(awk -v t=$((t1 - t0)) -v hz="$clk_tck" -v n="$accepted" \
          'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print "n/a" }')"
        secs=$(awk '/requests in/ { sub(/s,$/, "", $4); print $4 }' <<<"$out")
        rps[$who$c]+=" $(awk -v n="$accepted" -v d="$secs" 'BEGIN { printf "%.0f", n / d }')" # 2xx only
        p50[$who$c]+=" $(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
        p99[$who$c]+=" $(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
        e=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr -s ' ' | tr '\n' ' ' || true)
        [[ -n $e ]] && errs[$who$c]+="$e; "
      done
    done
  done
  stop "$rest_pid"
  stop "$bare_pid"
  stop "$svc_pid"

  # --- 3. rebuild of a 1M log vs raw scan-and-parse; start-up time ------------------------------
  say "3/6 writing a $LOG_EVENTS-event log and a $SMALL_LOG_EVENTS-event log"
  gen_out=$("$bin/append_bench" gen --db "$work/big.db" --events "$LOG_EVENTS")
  "$bin/append_bench" gen --db "$work/small.db" --events "$SMALL_LOG_EVENTS" >/dev/null
  big_mb=$(du -m "$work/big.db" | cut -f1)
  say "3/6 rebuild vs scan-and-parse, start-up, $RUNS runs"
  # Start-up: from exec to the "listening" line, and to the first 200 from /v1/health.
  startup() {
    local db=$1 out=$work/startup.out t0 t_listen="" t_health="" port=""
    t0=$(now_ns)
    "$bin/coursefactory" serve --http-port 0 --storage-db "$db" --site-dir "$work/site" \
      --payment-stripe-webhook-secret whsec_bench \
      --payment-stripe-webhook-secret-file "$work/var/secret" \
      >"$out" 2>&1 &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 5000); do
      if [[ -z $port ]]; then
        port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$out" | grep -o '[0-9]*$' || true)
        [[ -n $port ]] && t_listen=$(now_ns)
      fi
      if [[ -n $port ]] &&
        [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/health") == 200 ]]; then
        t_health=$(now_ns)
        break
      fi
      sleep 0.002
    done
    stop "$pid"
    echo "$(((t_listen - t0) / 1000000)) $(((t_health - t0) / 1000000))"
  }
  declare -A rebuild_eps scan_rps listen_ms health_ms
  for run in $(seq "$RUNS"); do
    t0=$(now_ns)
    "$bin/coursefactory" rebuild --storage-db "$work/big.db" >/dev/null
    t1=$(now_ns)
    rebuild_eps[big]+=" $(awk -v n="$LOG_EVENTS" -v ns=$((t1 - t0)) 'BEGIN { print n / (ns / 1e9) }')"
    out=$("$bin/append_bench" scan --db "$work/big.db")
    scan_rps[big]+=" $(field rows_per_s "$out")"
    for log in empty small big; do
      db=$work/$log.db
      [[ $log == empty ]] && db=$work/empty-$run.db
      read -r l h < <(startup "$db")
      listen_ms[$log]+=" $l"
      health_ms[$log]+=" $h"
    done
  done

  # --- 4. complete lifecycles over HTTP ---------------------------------------------------------
  say "4/6 lifecycles (create priced -> signed webhook -> distribution.completed), $RUNS runs"
  declare -A life
  start_service --storage-db "$work/life.db" --site-dir "$work/life-site"
  for run in $(seq "$RUNS"); do
    out=$("$bin/lifecycle_bench" --port "$srv_port" --secret whsec_bench --token "$srv_token" \
      --clients "$LIFECYCLE_CLIENTS" --seconds "$LIFECYCLE_SECONDS" || true)
    life[rate]+=" $(field lifecycles_per_s "$out")"
    life[p50]+=" $(field p50_ms "$out")"
    life[p99]+=" $(field p99_ms "$out")"
    life[failed]+=" $(field failed "$out")"
  done
  stop "$srv_pid"
fi

# --- 5. EventLog appends with the bus relay on vs off; relay throughput and latency ------------
say "5/6 EventLog appends with the bus relay on vs off, $RUNS runs"
# Its own redis-server, persisted as a bus would be in production (AOF, fsync every second).
bport=$((20000 + RANDOM % 20000))
mkdir -p "$work/bus-redis"
redis-server --port "$bport" --bind 127.0.0.1 --dir "$work/bus-redis" --appendonly yes \
  --appendfsync everysec --save "" >"$work/bus-redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$bport" ping >/dev/null 2>&1 && break; sleep 0.05; done
bus_load_start=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A off_eps on_eps off_batch on_batch relayed_eps lat50 lat99 relay_batch catchup relay_fail
declare -A run_ratios redis_cpu
for run in $(seq "$RUNS"); do
  for p in 16 64; do
    out=$("$bin/relay_bench" --db "$work/bus-off-$run-$p.db" --producers "$p" \
      --seconds "$APPEND_SECONDS")
    off_eps[$p]+=" $(field events_per_s "$out")"
    off_batch[$p]+=" $(field mean_batch "$out")"
    # A relay that does not catch up fails the program (status 1): count it, keep its figures.
    # The relay's own log lines (stderr) go to a file, shown when a run fails.
    if ! out=$("$bin/relay_bench" --db "$work/bus-on-$run-$p.db" --producers "$p" \
      --seconds "$APPEND_SECONDS" --redis-port "$bport" 2>"$work/relay.err"); then
      relay_fail[$p]+=" $run"
      tail -5 "$work/relay.err" >&2
    fi
    on_eps[$p]+=" $(field events_per_s "$out")"
    on_batch[$p]+=" $(field mean_batch "$out")"
    relayed_eps[$p]+=" $(field relayed_per_s "$out")"
    lat50[$p]+=" $(field p50_ms "$out")"
    lat99[$p]+=" $(field p99_ms "$out")"
    relay_batch[$p]+=" $(field mean_relay_batch "$out")"
    catchup[$p]+=" $(field catchup_ms "$out")"
    redis_cpu[$p]+=" $(field redis_cpu_us_per_entry "$out")"
    run_ratios[$p]+="${run_ratios[$p]:+,} $(ratio "$(field events_per_s "$out")" \
      "$(echo "${off_eps[$p]}" | awk '{ print $NF }')")"
    rm -f "$work"/bus-off-"$run"-"$p".db* "$work"/bus-on-"$run"-"$p".db*
  done
done
redis-cli -p "$bport" shutdown nosave >/dev/null 2>&1 || true
bus_load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# The rows and notes of section 5, for the full table and for the bus block of ONLY=bus.
bus_rows() {
  local p on off
  for p in 16 64; do
    on=$(m "${on_eps[$p]}") off=$(m "${off_eps[$p]}")
    echo "| 5. EventLog appends with the bus relay on vs off, durable (full), $p producers," \
      "events/s | relay on: $(fmt "$on") (mean $(printf '%.1f' "$(m "${on_batch[$p]}")")" \
      "events/commit) | relay off: $(fmt "$off") (mean $(printf '%.1f' \
      "$(m "${off_batch[$p]}")") events/commit); on/off $(ratio "$on" "$off") |" \
      "redis-server appendfsync everysec | on ≥ 90 % of off | $(yes_no "$on >= 0.9 * $off") |"
  done
  for p in 16 64; do
    echo "| 5. relay throughput and commit-to-stream latency, $p producers: events/s, p50, p99 |" \
      "$(fmt "$(m "${relayed_eps[$p]}")")/s, $(m "${lat50[$p]}") ms," \
      "$(m "${lat99[$p]}") ms (mean $(printf '%.1f' "$(m "${relay_batch[$p]}")")" \
      "events per append (MULTI/EXEC); redis-server CPU $(printf '%.1f' \
      "$(m "${redis_cpu[$p]}")") µs per entry; stream caught up $(m "${catchup[$p]}") ms after" \
      "the producers stopped) | | | none set | |"
  done
}
bus_notes() {
  echo "(5) bench/relay_bench: the same producers as row 1 (bench/producers.hpp) for"
  echo "$APPEND_SECONDS s on a fresh log, relay off, then on (interleaved, at 16 and 64"
  echo "producers); relay on: the service's BusRelay (cloudevents, batch 256) to a fresh stream on"
  echo "a redis-server of its own (appendonly yes, appendfsync everysec), and one reader thread"
  echo "doing XREAD BLOCK on its own connection, as a consumer of the bus would (its cost is in"
  echo "the relay-on figure). Relay events/s: entries / (arrival of the log's head on the stream -"
  echo "time_us of the first event). Latency: arrival (system clock) - the event's time_us (system"
  echo "clock, stamped as EventLog queues it for its group commit, so the commit's fsync counts)."
  echo "redis-server CPU per entry: INFO cpu (user + system) over the run / entries relayed: the"
  echo "appends, their AOF writes and the reader's XREADs. On/off of each run, in order: 16"
  echo "producers:${run_ratios[16]}; 64 producers:${run_ratios[64]}."
  echo "Load average at the section's start $bus_load_start, at its end $bus_load_end."
  for p in 16 64; do
    [[ -n ${relay_fail[$p]:-} ]] && echo "Relay runs at $p producers that failed to catch up or read: ${relay_fail[$p]}."
  done
  true
}

if [[ $ONLY == bus ]]; then
  cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
  block=$work/bus.md
  {
    echo "## The bus relay (issue 12)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores ($cpu), Linux $(uname -r); medians of" \
      "$RUNS runs, relay off and on interleaved in each run; \`ONLY=bus RUNS=$RUNS" \
      "APPEND_SECONDS=$APPEND_SECONDS bench/run.sh\`."
    echo
    echo "| measure | coursefactory | baseline | Redis | target | met |"
    echo "|---|---|---|---|---|---|"
    bus_rows
    echo
    echo "Notes: $(bus_notes)"
  } >"$block"
  cat "$block"
  # Keeps OUT up to its bus block (a previous one is replaced), then this one.
  kept=$work/kept.md
  : >"$kept"
  if [[ -f $OUT ]]; then # without its trailing blank lines
    awk '/^## The bus relay/ { exit } { print }' "$OUT" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$kept"
  fi
  {
    cat "$kept"
    [[ -s $kept ]] && echo
    cat "$block"
  } >"$OUT.tmp"
  mv "$OUT.tmp" "$OUT"
  exit 0
fi

# --- 6. generation on workers (issue 14) --------------------------------------------------------
say "6/6 generation through 1, 2 and 4 workers (200 ms generator), $RUNS runs"
worker_rows=$(/usr/bin/python3 bench/worker_bench.py "$bin/coursefactory" 40 "$RUNS" | awk -F'|' '$2 ~ /^ [0-9]+ $/')
wrate() { awk -F'|' -v n="$1" '$2 + 0 == n { gsub(/ /, "", $3); print $3 }' <<<"$worker_rows"; }

# --- the table ---------------------------------------------------------------------------------
L64=$(m "${log_eps[64]}") R64=$(m "${raw_eps[64]}") D64=$(m "${redis_eps[64]}")
RB=$(m "${rebuild_eps[big]}") SC=$(m "${scan_rps[big]}")
HB=$(m "${health_ms[big]}") HS=$(m "${health_ms[small]}") HE=$(m "${health_ms[empty]}")
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
commit_ms=$(awk -v r="$(m "${raw_eps[1]}")" 'BEGIN { if (r > 0) printf "%.2f", 1000 / r; else print "n/a" }')
{
  echo "# Benchmark results (issues 5, 12, 14 and 18)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores ($cpu), Linux $(uname -r);" \
    "medians of $RUNS runs, contenders interleaved in each run; \`bench/run.sh\`." \
    "Load average at start $load_start, at end $(cut -d' ' -f1-3 /proc/loadavg) (other work on" \
    "the machine shares its cores). One durable SQLite commit of one row took $commit_ms ms" \
    "here (raw SQLite, batch 1): the machine's fsync cost, which bounds rows 1 and 4."
  echo
  echo "| measure | coursefactory | baseline | Redis | target | met |"
  echo "|---|---|---|---|---|---|"
  for p in 1 16 64; do
    L=$(m "${log_eps[$p]}") R=$(m "${raw_eps[$p]}") D=$(m "${redis_eps[$p]}") B=$(m "${batch_seen[$p]}")
    target="" met=""
    if [[ $p == 64 ]]; then
      target="≥ 40,000/s; ≥ 80 % of raw; > Redis"
      met="$(yes_no "$L >= 40000") / $(yes_no "$L >= 0.8 * $R") / $(yes_no "$L > $D")"
    fi
    echo "| 1. EventLog appends, durable (full), $p producer(s), events/s | $(fmt "$L")" \
      "(mean $(printf '%.1f' "$B") events/commit) | raw SQLite, same batch: $(fmt "$R")" \
      "($(ratio "$L" "$R")) | XADD, appendfsync always, $p clients: $(fmt "$D") | $target | $met |"
  done
  for c in 16 64; do
    S=$(m "${rps[svc$c]}") T=$(m "${rps[rest$c]}")
    S_CPU=$(m "${cpu_us[svc$c]}") T_CPU=$(m "${cpu_us[rest$c]}")
    target="≥ 100 % of the twin's req/s; ≤ 150 µs CPU per course"
    met="$(yes_no "$S >= $T") / $(yes_no "$S_CPU <= 150")"
    if [[ $c == 16 ]]; then
      added=$(awk -v a="$(m "${p99[svc16]}")" -v b="$(m "${p99[rest16]}")" 'BEGIN { printf "%.2f", a - b }')
      target+="; ≤ 5 ms added p99 (added: $added ms)"
      met+=" / $(yes_no "$added <= 5")"
    fi
    echo "| 2. POST /v1/courses (dry run), $c connections: accepted/s, p50, p99; CPU per accepted" \
      "course | $(fmt "$S")/s, $(m "${p50[svc$c]}") ms, $(m "${p99[svc$c]}") ms; $S_CPU µs |" \
      "REST-only twin: $(fmt "$T")/s, $(m "${p50[rest$c]}") ms, $(m "${p99[rest$c]}") ms; $T_CPU µs" \
      "(service/twin: $(ratio "$S" "$T") of req/s, $(ratio "$S_CPU" "$T_CPU") of CPU); bare" \
      "cpp-httplib: $(fmt "$(m "${rps[bare$c]}")")/s, $(m "${p99[bare$c]}") ms p99 | | $target | $met |"
  done
  echo "| 3. \`coursefactory rebuild\`, $(fmt "$LOG_EVENTS") events ($big_mb MB), events/s (wall) |" \
    "$(fmt "$RB") | scan + json::parse every row: $(fmt "$SC") ($(ratio "$RB" "$SC")) | |" \
    "≥ 75 % of raw | $(yes_no "$RB >= 0.75 * $SC") |"
  echo "| 3. start-up to 200 from /v1/health (to \"listening\"), ms |" \
    "empty: $(m "${health_ms[empty]}") ($(m "${listen_ms[empty]}"));" \
    "$(fmt "$SMALL_LOG_EVENTS"): $HS ($(m "${listen_ms[small]}"));" \
    "$(fmt "$LOG_EVENTS"): $HB ($(m "${listen_ms[big]}")) | | |" \
    "< 1,000 ms, flat with log length | $(yes_no "$HB < 1000") / $(yes_no "$HB <= 1.5 * $HS + 50") |"
  echo "| 4. complete lifecycles/s over HTTP, $LIFECYCLE_CLIENTS clients (p50, p99 per lifecycle) |" \
    "$(printf '%.1f' "$(m "${life[rate]}")")/s ($(m "${life[p50]}") ms, $(m "${life[p99]}") ms);" \
    "failed: $(m "${life[failed]}") | | | none set | |"
  bus_rows
  W1=$(wrate 1) W2=$(wrate 2) W4=$(wrate 4)
  echo "| 6. generation on \`coursefactory worker\` processes (200 ms per course), courses/s," \
    "1 / 2 / 4 workers | $W1 / $W2 / $W4 | ideal 5 / 10 / 20 ($(ratio "$W4" 20) of ideal at 4) | |" \
    "none set | |"
  echo
  echo "Notes: (1) each append is one \`course.generation.started\` event of a new course, sent by"
  echo "an event-based actor (as the service's producers are) with one append outstanding; with 64"
  echo "OS threads each blocking on its own scoped_actor instead: $(fmt "$(m "$thread_eps")") events/s."
  echo "Raw SQLite inserts the same rows"
  echo "(schema and pragmas from sqlite_event_store::open, synchronous=FULL, WAL) in transactions"
  echo "of the EventLog's mean batch, without the read model. Redis: redis-benchmark XADD of the"
  echo "same payload. (2) wrk -t2 with bench/post_course.lua (\`dry_run: true\`, one lesson: the"
  echo "built-in generator runs for each course, nothing is published); the service at default"
  echo "settings (durability full). The REST-only twin (bench/rest_only.cpp, issue 18) is what the"
  echo "service replaces, built well: the same httplib tuning, Bearer token check, JSON and request"
  echo "checks and built-in generator, run inside the request, then one synchronous SQLite commit"
  echo "(WAL, synchronous=FULL) of the course row per request, answering 201. Req/s count 2xx answers"
  echo "only. CPU per accepted course: user + system time of the process (/proc/PID/stat) from"
  echo "before wrk until the process is idle again (the service generates after its 202), over the"
  echo "2xx answers. (3) the log: priced courses with six events each (started,"
  echo "completed with ${gen_out##*content_bytes=} bytes of built-in content, payment required"
  echo "and completed, distribution requested and completed), written with durability normal,"
  echo "consumer checkpoints at the head; rebuild timed from exec to exit. (4) bench/lifecycle_bench"
  echo "drives the real binary over HTTP; waits are served by one SSE stream."
  bus_notes
  echo "(6) bench/worker_bench.py: for each worker count a fresh redis-server, the workers"
  echo "(concurrency 1 each, generator bench/slow_generator.py sleeping 200 ms), 40 jobs in the"
  echo "relay's format appended at once; courses/s from the first append to the last result."
  for k in svc16 svc64 rest16 rest64 bare16 bare64; do
    [[ -n ${errs[$k]:-} ]] && echo "wrk errors ($k): ${errs[$k]}"
  done
  true
} | tee "$OUT"
