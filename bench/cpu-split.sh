#!/usr/bin/env bash
# Where the gateway's CPU per request goes: user vs kernel time and context switches per request,
# for a proxied route (/json), the same route with the full chain (/chain: auth with an HS256
# token, ratelimit far above the load, JSON access log, metrics), with the request-shaping chain
# (/shaped: request_id, cors, ip_filter, headers, body_limit, api_key; not in the default PATHS),
# a route balancing over two targets (/two: two ports of the same nginx worker, weighted round
# robin; not in the default PATHS) and the gateway's own /healthz (the servlet container's floor:
# the cost of taking a request and answering it, with no upstream). One JVM for all, so /chain ÷
# /json, /shaped ÷ /json and /two ÷ /json are free of start-to-start variation.
#
#   mvn -B -DskipTests package && bench/cpu-split.sh
#
# nginx upstream and gateway pinned to SERVER_CPUS, wrk to WRK_CPUS; WARMUP of load per path, then
# RUNS measured runs of DURATION each. Context switches come from `perf stat -e context-switches`
# (Debian's linux-perf) when present, else are reported as "-". JETTY_MODES="floor proxy" adds
# rows for bench/jetty-proxy in those modes (same JVM and flags): `floor` is Jetty answering a
# small JSON itself (the counterpart of the gateway's /healthz), `proxy`/`middleman` its proxy
# servlets, so that what each proxy adds to its own container's floor can be compared.
#
# Environment (defaults in brackets): CONNECTIONS [128]  WARMUP [60s, per path: the JIT settles in 45-100 s here]  DURATION [10s]  RUNS [3]
#   PATHS [/json /chain /healthz]  JETTY_MODES []  SERVER_CPUS [0]  WRK_CPUS [1]  GATEWAY_JAVA_OPTS []  BENCH_JAVA_HOME
set -euo pipefail
CONNECTIONS=${CONNECTIONS:-128}
WARMUP=${WARMUP:-60s}
DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}
PATHS=${PATHS:-/json /chain /healthz}
JETTY_MODES=${JETTY_MODES:-}
SERVER_CPUS=${SERVER_CPUS-0}
WRK_CPUS=${WRK_CPUS-1}

cd "$(dirname "$0")/.."
source bench/lib.sh
bench_need nginx wrk curl ss taskset awk "$BENCH_JAVA"
bench_init cpu-split
# a second port of the same nginx (and worker) for /two's second target
NGINX_PORT2=$(free_port)
start_nginx_upstream "$SERVER_CPUS" "" "  server {
    listen 127.0.0.1:$NGINX_PORT2;
    location / {
      default_type application/json;
      return 200 '{\"id\":42,\"name\":\"benchmark\",\"tags\":[\"a\",\"b\",\"c\"],\"active\":true}\\n';
    }
  }"
SHAPED_KEY=bench-key-0123456789
{
  chain_config_blocks
  cat <<YAML
routes:
  - path: /json
    target: http://127.0.0.1:$NGINX_PORT
    middleware: []
  - path: /chain
    target: http://127.0.0.1:$NGINX_PORT
    middleware: [auth, ratelimit, logging, metrics]
  - path: /two
    targets:
      - url: http://127.0.0.1:$NGINX_PORT
      - url: http://127.0.0.1:$NGINX_PORT2
    middleware: []
  - path: /shaped
    target: http://127.0.0.1:$NGINX_PORT
    middleware: [request_id, cors, ip_filter, headers, body_limit, api_key]
    cors:
      allow_origins: ["https://app.example.com"]
    ip_filter:
      allow: [127.0.0.0/8, "::1/128"]
    headers:
      request:
        set: {X-From: gateway}
      response:
        set: {X-Frame-Options: DENY}
    body_limit:
      max: 1MiB
    api_key:
      keys: [{name: bench, sha256: $(printf '%s' "$SHAPED_KEY" | sha256sum | cut -d' ' -f1)}]
YAML
} >"$WORK/gateway.yaml"
TOKEN=$(chain_token "$WORK/gateway.yaml")
# the access log (stdout) is written beside the configuration, as a quick set-up would have it
start_gateway "$SERVER_CPUS" "$WORK/gateway.yaml" gateway
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GATEWAY_PORT/chain")
[[ $code == 200 ]] || bench_fail "/chain with the token answered $code, not 200" "$WORK/gateway.log"

field() { awk -v f="$2" '{print $f}' /proc/"$1"/stat; } # 14 utime, 15 stime (no spaces in "java")
per_request() { awk -v a="$1" -v b="$2" -v n="$3" -v hz="$CLK_TCK" 'BEGIN {printf "%.1f", (b - a) * 1e6 / hz / n}'; }

# measure LABEL PID URL [wrk args...]: WARMUP of load, then RUNS rows of the table for PID
measure() {
  local label=$1 pid=$2 url=$3 run u0 k0 u1 k1 n cs perf_pid
  shift 3
  (pinned "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "$@" "$url" >/dev/null)
  for run in $(seq "$RUNS"); do
    u0=$(field "$pid" 14) k0=$(field "$pid" 15)
    perf_pid=
    if command -v perf >/dev/null; then
      perf stat -e context-switches -p "$pid" -o "$WORK/perf.txt" -- sleep "${DURATION%s}" &
      perf_pid=$!
    fi
    (pinned "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$WORK/wrk.txt")
    ! grep -q 'Non-2xx' "$WORK/wrk.txt" || bench_fail "$label: non-2xx answers" "$WORK/wrk.txt"
    [[ -n $perf_pid ]] && wait "$perf_pid" || true
    u1=$(field "$pid" 14) k1=$(field "$pid" 15)
    n=$(wrk_total "$WORK/wrk.txt")
    cs=-
    if [[ -n $perf_pid && -f $WORK/perf.txt ]]; then
      cs=$(awk -v n="$n" '/context-switches/ {gsub(/,/, "", $1); printf "%.2f", $1 / n}' "$WORK/perf.txt")
    fi
    printf '| %s | %d | %s | %s ms | %s | %s | %s | %s |\n' "$label" "$run" "$(rps "$WORK/wrk.txt")" \
      "$(wrk_pct "$WORK/wrk.txt" 99)" "$(per_request "$((u0 + k0))" "$((u1 + k1))" "$n")" \
      "$(per_request "$u0" "$u1" "$n")" "$(per_request "$k0" "$k1" "$n")" "$cs"
  done
}

printf '| path | run | req/s | p99 | CPU µs/req | user µs | kernel µs | context switches/req |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
for path in $PATHS; do
  auth=()
  [[ $path == /chain ]] && auth=(-H "Authorization: Bearer $TOKEN")
  [[ $path == /shaped ]] && auth=(-H "X-API-Key: $SHAPED_KEY" -H "Origin: https://app.example.com")
  measure "$path" "$GATEWAY_PID" "http://127.0.0.1:$GATEWAY_PORT$path" "${auth[@]}"
done
if [[ -n $JETTY_MODES ]]; then
  # the gateway's CPU is not measured any more: stop it so that it does not hold the core
  bench_stop "$GATEWAY_PID"
  build_jetty_proxy
  for mode in $JETTY_MODES; do
    start_jetty_proxy "$SERVER_CPUS" "$mode" "http://127.0.0.1:$NGINX_PORT"
    measure "Jetty $mode /json" "$JETTY_PID" "http://127.0.0.1:$JETTY_PORT/json"
    bench_stop "$JETTY_PID"
  done
fi
