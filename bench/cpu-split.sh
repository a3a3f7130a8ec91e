#!/usr/bin/env bash
# Where the gateway's CPU per request goes: user vs kernel time and context switches per request,
# for a proxied route (/json), the same route with the full chain (/chain: auth with an HS256
# token, ratelimit far above the load, JSON access log, metrics) and the gateway's own /healthz
# (the servlet container's floor: the cost of taking a request and answering it, with no
# upstream). One JVM for all, so /chain ÷ /json is issue 7's target (b) free of start-to-start
# variation. Issue 7's "what bounds it" figures.
#
#   mvn -B -DskipTests package && bench/cpu-split.sh
#
# nginx upstream and gateway pinned to SERVER_CPUS, wrk to WRK_CPUS; WARMUP of load per path, then
# RUNS measured runs of DURATION each. Context switches come from `perf stat -e context-switches`
# (Debian's linux-perf) when present, else are reported as "-".
#
# Environment (defaults in brackets): CONNECTIONS [128]  WARMUP [60s, per path: the JIT settles in 45-100 s here]  DURATION [10s]  RUNS [3]
#   PATHS [/json /chain /healthz]  SERVER_CPUS [0]  WRK_CPUS [1]  GATEWAY_JAVA_OPTS []  BENCH_JAVA_HOME
set -euo pipefail
CONNECTIONS=${CONNECTIONS:-128}
WARMUP=${WARMUP:-60s}
DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}
PATHS=${PATHS:-/json /chain /healthz}
SERVER_CPUS=${SERVER_CPUS-0}
WRK_CPUS=${WRK_CPUS-1}

cd "$(dirname "$0")/.."
source bench/lib.sh
bench_need nginx wrk curl ss taskset awk "$BENCH_JAVA"
bench_init cpu-split
start_nginx_upstream "$SERVER_CPUS"
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
YAML
} >"$WORK/gateway.yaml"
TOKEN=$(chain_token "$WORK/gateway.yaml")
# the access log (stdout) is written beside the configuration, as a quick set-up would have it
start_gateway "$SERVER_CPUS" "$WORK/gateway.yaml" gateway
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GATEWAY_PORT/chain")
[[ $code == 200 ]] || bench_fail "/chain with the token answered $code, not 200" "$WORK/gateway.log"

field() { awk -v f="$2" '{print $f}' /proc/"$1"/stat; } # 14 utime, 15 stime (no spaces in "java")
per_request() { awk -v a="$1" -v b="$2" -v n="$3" -v hz="$CLK_TCK" 'BEGIN {printf "%.1f", (b - a) * 1e6 / hz / n}'; }

printf '| path | run | req/s | p99 | CPU µs/req | user µs | kernel µs | context switches/req |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
for path in $PATHS; do
  url="http://127.0.0.1:$GATEWAY_PORT$path"
  auth=()
  [[ $path == /chain ]] && auth=(-H "Authorization: Bearer $TOKEN")
  (pinned "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "${auth[@]}" "$url" >/dev/null)
  for run in $(seq "$RUNS"); do
    u0=$(field "$GATEWAY_PID" 14) k0=$(field "$GATEWAY_PID" 15)
    perf_pid=
    if command -v perf >/dev/null; then
      perf stat -e context-switches -p "$GATEWAY_PID" -o "$WORK/perf.txt" -- sleep "${DURATION%s}" &
      perf_pid=$!
    fi
    (pinned "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "${auth[@]}" "$url" >"$WORK/wrk.txt")
    ! grep -q 'Non-2xx' "$WORK/wrk.txt" || bench_fail "$path: non-2xx answers" "$WORK/wrk.txt"
    [[ -n $perf_pid ]] && wait "$perf_pid" || true
    u1=$(field "$GATEWAY_PID" 14) k1=$(field "$GATEWAY_PID" 15)
    n=$(wrk_total "$WORK/wrk.txt")
    cs=-
    if [[ -n $perf_pid && -f $WORK/perf.txt ]]; then
      cs=$(awk -v n="$n" '/context-switches/ {gsub(/,/, "", $1); printf "%.2f", $1 / n}' "$WORK/perf.txt")
    fi
    printf '| %s | %d | %s | %s ms | %s | %s | %s | %s |\n' "$path" "$run" "$(rps "$WORK/wrk.txt")" \
      "$(wrk_pct "$WORK/wrk.txt" 99)" "$(per_request "$((u0 + k0))" "$((u1 + k1))" "$n")" \
      "$(per_request "$u0" "$u1" "$n")" "$(per_request "$k0" "$k1" "$n")" "$cs"
  done
done
