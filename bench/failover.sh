#!/usr/bin/env bash
# Failover under load: wrk runs against a route with two nginx targets while one of them is
# killed (SIGKILL, master and worker: its open connections are reset) and later restarted on the
# same port. Three phases of DURATION each, one wrk run per phase so each has its own latency
# figures: before (both up), during (the kill is the phase's first step), after (the restart is
# the phase's first step). Reported per phase: requests, errors (non-2xx answers and socket
# errors, as wrk counts them), p50 and p99; then how long after the restart the restarted target
# takes its share again: the first 100 ms sample in which it served at least 80 % as many requests
# as the target that stayed up (both read from nginx's stub_status, its own polls subtracted).
#
#   mvn -B -DskipTests package && bench/failover.sh
#
# Environment (defaults in brackets): CONNECTIONS [32]  WARMUP [30s]  DURATION [10s]
#   CHECK_INTERVAL [1s: health_check.interval]  RETRY [0; 1 adds retry: attempts 2, when
#   connect_failure and 502]  SERVER_CPUS [0]  WRK_CPUS [1]  BENCH_JAVA_HOME
set -euo pipefail
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-30s}
DURATION=${DURATION:-10s}
CHECK_INTERVAL=${CHECK_INTERVAL:-1s}
RETRY=${RETRY:-0}
SERVER_CPUS=${SERVER_CPUS-0}
WRK_CPUS=${WRK_CPUS-1}

cd "$(dirname "$0")/.."
source bench/lib.sh
bench_need nginx wrk curl ss taskset awk "$BENCH_JAVA"
bench_init failover

# start_target NAME PORT: an nginx of write_nginx_conf in $WORK/NAME -> TARGET_PID
start_target() {
  local name=$1 port=$2
  write_nginx_conf "$WORK/$name" "$port" "    location = /nginx_status { stub_status; }"
  : >"$WORK/$name/logs/stdout.log"
  bench_spawn "$SERVER_CPUS" "$WORK/$name/logs/stdout.log" \
    nginx -p "$WORK/$name" -c "$WORK/$name/nginx.conf" -e "$WORK/$name/logs/error.log"
  TARGET_PID=$BENCH_PID
  wait_for_200 "http://127.0.0.1:$port/json" 10 "$TARGET_PID" ||
    bench_fail "nginx $name did not start" "$WORK/$name/logs/error.log"
}

# served PORT: requests the nginx on PORT has handled so far (stub_status's third number)
served() { curl -s "http://127.0.0.1:$1/nginx_status" | awk 'NR == 3 {print $3}'; }

PORT_A=$(free_port)
PORT_B=$(free_port)
start_target a "$PORT_A"
start_target b "$PORT_B"
PID_B=$TARGET_PID

retry_block=
if [[ $RETRY == 1 ]]; then
  retry_block="    retry:
      attempts: 2
      when: [connect_failure, 502]"
fi
cat >"$WORK/gateway.yaml" <<YAML
logging:
  format: json
routes:
  - path: /api/*
    targets:
      - url: http://127.0.0.1:$PORT_A
      - url: http://127.0.0.1:$PORT_B
    health_check:
      path: /json
      interval: $CHECK_INTERVAL
      timeout: 500ms
      unhealthy_after: 2
      healthy_after: 2
$retry_block
    middleware: [logging]
YAML
start_gateway "$SERVER_CPUS" "$WORK/gateway.yaml" gateway "$WORK/access.log"
URL="http://127.0.0.1:$GATEWAY_PORT/api/json"
wait_for_200 "$URL" 30 "$GATEWAY_PID" || bench_fail "the gateway does not answer 200" "$WORK/gateway.log"

load() { # load SECONDS_SPEC OUT
  (pinned "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"$1" --latency "$URL" >"$2")
}

load "$WARMUP" /dev/null

printf '| phase | requests | errors | p50 | p99 |\n|---|---:|---:|---:|---:|\n'
row() {
  printf '| %s | %s | %s | %s ms | %s ms |\n' "$1" "$(wrk_total "$2")" "$(wrk_errors "$2")" \
    "$(wrk_pct "$2" 50)" "$(wrk_pct "$2" 99)"
}

load "$DURATION" "$WORK/before.txt"
row before "$WORK/before.txt"

# kill the whole nginx (master and worker) so that its connections are reset, not drained
disown "$PID_B" # no "Killed" line from the shell
kill -KILL $(child_pids "$PID_B") "$PID_B" 2>/dev/null || true
load "$DURATION" "$WORK/during.txt"
row "during (one target killed)" "$WORK/during.txt"

# restart it on the same port, then sample both targets every 100 ms while the load runs
load "$DURATION" "$WORK/after.txt" &
LOAD_PID=$!
restarted_at=$(date +%s%N)
start_target b "$PORT_B"
recovered_ms=
prev_a=$(served "$PORT_A") prev_b=$(served "$PORT_B")
while kill -0 "$LOAD_PID" 2>/dev/null; do
  sleep 0.1
  a=$(served "$PORT_A") b=$(served "$PORT_B")
  # each sample's own poll is one request on each nginx
  if [[ -z $recovered_ms && -n $a && -n $b ]] &&
    awk -v da="$((a - prev_a - 1))" -v db="$((b - prev_b - 1))" 'BEGIN {exit !(da > 0 && db >= 0.8 * da)}'; then
    recovered_ms=$((($(date +%s%N) - restarted_at) / 1000000))
  fi
  prev_a=$a prev_b=$b
done
wait "$LOAD_PID"
row "after (target restarted)" "$WORK/after.txt"
echo
echo "health_check.interval $CHECK_INTERVAL, healthy_after 2; retry: $([[ $RETRY == 1 ]] && echo 'attempts 2, when [connect_failure, 502]' || echo none)"
echo "the restarted target took its share again after: ${recovered_ms:-never within the phase} ms"
echo "answers in the access log, by status and attempts (all phases, warm-up included):"
grep -o '"status":[0-9]*\|"attempts":[0-9]*' "$WORK/access.log" | paste -d' ' - - | sort | uniq -c || true
