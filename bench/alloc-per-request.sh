#!/usr/bin/env bash
# Heap allocated per request on the full chain (/chain: auth with an HS256 token, ratelimit,
# JSON access log, metrics): the young collections and eden use `jstat -gc` reports before and
# after each wrk run, divided by the requests wrk completed. Unlike CPU time it does not move with
# other load on the machine, so it shows whether a change adds work per request.
#
#   mvn -B -DskipTests package && bench/alloc-per-request.sh
#
# The gateway runs with $BENCH_JAVA_FLAGS (ParallelGC, fixed heap): each young collection empties
# an eden of the size jstat reports. Environment (defaults in brackets): CONNECTIONS [32]
#   WARMUP [30s]  DURATION [10s]  RUNS [3]  SERVER_CPUS [0]  WRK_CPUS [1]  BENCH_JAVA_HOME
set -euo pipefail
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-30s}
DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}
SERVER_CPUS=${SERVER_CPUS-0}
WRK_CPUS=${WRK_CPUS-1}

cd "$(dirname "$0")/.."
source bench/lib.sh
JSTAT=${BENCH_JAVA_HOME:+$BENCH_JAVA_HOME/bin/}jstat
bench_need nginx wrk curl taskset awk "$BENCH_JAVA" "$JSTAT"
bench_init alloc-per-request
start_nginx_upstream "$SERVER_CPUS"
{
  chain_config_blocks
  cat <<YAML
routes:
  - path: /chain
    target: http://127.0.0.1:$NGINX_PORT
    middleware: [auth, ratelimit, logging, metrics]
YAML
} >"$WORK/gateway.yaml"
TOKEN=$(chain_token "$WORK/gateway.yaml")
start_gateway "$SERVER_CPUS" "$WORK/gateway.yaml" gateway "$WORK/access.log"
URL="http://127.0.0.1:$GATEWAY_PORT/chain"
load() { (pinned "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"$1" -H "Authorization: Bearer $TOKEN" "$URL" >"$2"); }

load "$WARMUP" /dev/null
printf '| run | requests | young collections | bytes/request |\n|---:|---:|---:|---:|\n'
for run in $(seq "$RUNS"); do
  # jstat -gc columns: S0C S1C S0U S1U EC EU OC OU ... YGC (13th); sizes in KB
  read -ra before <<<"$("$JSTAT" -gc "$GATEWAY_PID" | tail -n1)"
  load "$DURATION" "$WORK/wrk.txt"
  read -ra after <<<"$("$JSTAT" -gc "$GATEWAY_PID" | tail -n1)"
  ! grep -q 'Non-2xx' "$WORK/wrk.txt" || bench_fail "non-2xx answers" "$WORK/wrk.txt"
  awk -v run="$run" -v n="$(wrk_total "$WORK/wrk.txt")" -v eden="${after[4]}" \
    -v eu0="${before[5]}" -v eu1="${after[5]}" -v g0="${before[12]}" -v g1="${after[12]}" \
    'BEGIN { printf "| %d | %d | %d | %.0f |\n", run, n, g1 - g0, ((g1 - g0) * eden + eu1 - eu0) * 1024 / n }'
done
