#!/usr/bin/env bash
# Throughput and latency of the gateway against the same upstream hit directly, with wrk.
#
#   bench/run.sh                      # from the repository root, after `mvn -DskipTests package`
#   DURATION=30s CONNECTIONS=64 bench/run.sh
#
# Starts nginx on loopback as a fast upstream (a 200 with a small JSON body, from memory, with
# keep-alive), starts `java -jar target/gateway.war` with one route and no middleware in front of
# it, warms the gateway's JIT up, then runs wrk through the gateway and directly against nginx, back
# to back, and prints requests/s, p50 and p99 of both and the gateway/direct ratios. Builds nothing.
# Everything listens on 127.0.0.1 on free ports and is stopped on exit.
#
# Environment (defaults in brackets):
#   DURATION [15s]      length of each measured wrk run
#   CONNECTIONS [32]    wrk connections          THREADS [2]   wrk threads
#   WARMUP [45s]        wrk run through the gateway before measuring; nginx gets 2s. On 2 shared
#                       cores the gateway's JIT needs 30-50 s of load to reach its plateau:
#                       after 10 s it still runs at half speed
#   JAVA_OPTS []        extra JVM options for the gateway, e.g. "-Xmx512m"
#   WRK_CPUS []         pin wrk with taskset -c, e.g. 1
#   SERVER_CPUS []      pin nginx and the gateway with taskset -c, e.g. 0
#   RESULTS_TSV []      also append one line of figures to this file
#   KEEP_LOGS []        1 keeps the temp dir with the configs and logs
#   MIDDLEWARE []       the route's middleware list, e.g. "logging, metrics, tracing"; metrics
#                       are exposed, the access log is JSON (to the gateway's log file), and
#                       tracing runs without an exporter (otel.enabled: false: no collector here)
set -euo pipefail

DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-45s}
JAVA_OPTS=${JAVA_OPTS:-}
WRK_CPUS=${WRK_CPUS:-}
SERVER_CPUS=${SERVER_CPUS:-}
RESULTS_TSV=${RESULTS_TSV:-}
KEEP_LOGS=${KEEP_LOGS:-}
MIDDLEWARE=${MIDDLEWARE:-}

cd "$(dirname "$0")/.."
source bench/lib.sh
WAR=target/gateway.war
if [[ ! -f $WAR ]]; then
  echo "bench/run.sh: $WAR is missing; build it first: mvn -DskipTests package" >&2
  exit 1
fi
for tool in nginx wrk java curl ss; do
  if ! command -v "$tool" >/dev/null; then
    echo "bench/run.sh: '$tool' not found (Debian: apt-get install -y nginx wrk curl)" >&2
    exit 1
  fi
done

WORK=$(mktemp -d -t gateway-bench.XXXXXX)
NGINX_PID=
GATEWAY_PID=
WRK_PID=

stop() {
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  stop "$WRK_PID"
  stop "$GATEWAY_PID"
  stop "$NGINX_PID"
  wait 2>/dev/null || true
  if [[ $KEEP_LOGS == 1 ]]; then
    echo "logs and configs kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # start CPUS command... &: exec, under taskset when CPUS is set, so $! is its pid
  local cpus=$1
  shift
  if [[ -n $cpus ]]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}


wait_for_200() { # wait_for_200 URL SECONDS PID
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    kill -0 "$3" 2>/dev/null || return 1
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$1") == 200 ]] && return 0
    sleep 0.2
  done
  return 1
}

# --- upstream: nginx in the foreground, its own prefix, config and logs in $WORK ---------------
NGINX_PORT=$(free_port)
write_nginx_conf "$WORK/nginx" "$NGINX_PORT" \
  '    # connections accepted so far: tells whether the gateway reuses its upstream connections
    location = /nginx_status { stub_status; }'
start "$SERVER_CPUS" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" \
  -e "$WORK/nginx/logs/error.log" >"$WORK/nginx/logs/stdout.log" 2>&1 &
NGINX_PID=$!
DIRECT_URL="http://127.0.0.1:$NGINX_PORT/json"
if ! wait_for_200 "$DIRECT_URL" 10 "$NGINX_PID"; then
  echo "bench/run.sh: nginx did not start:" >&2
  cat "$WORK/nginx/logs/"*.log >&2
  exit 1
fi

# --- the gateway: port 0 lets the kernel pick a free port; the gateway logs which ---------------
cat >"$WORK/gateway.yaml" <<EOF
server:
  port: 0
metrics:
  prometheus:
    enabled: true
logging:
  format: json
routes:
  - path: /json
    target: http://127.0.0.1:$NGINX_PORT
    middleware: [$MIDDLEWARE]
EOF
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
start "$SERVER_CPUS" java $JAVA_OPTS -jar "$WAR" --config "$WORK/gateway.yaml" \
  >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
GATEWAY_PORT=
for _ in $(seq 600); do
  GATEWAY_PORT=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$WORK/gateway.log" | head -n1)
  [[ -n $GATEWAY_PORT ]] && break
  kill -0 "$GATEWAY_PID" 2>/dev/null || break
  sleep 0.1
done
GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT/json"
if [[ -z $GATEWAY_PORT ]] || ! wait_for_200 "$GATEWAY_URL" 30 "$GATEWAY_PID"; then
  echo "bench/run.sh: the gateway did not start or does not answer 200 on /json:" >&2
  cat "$WORK/gateway.log" >&2
  exit 1
fi
if [[ "$(curl -s "$GATEWAY_URL")" != "$(curl -s "$DIRECT_URL")" ]]; then
  echo "bench/run.sh: the gateway's body differs from the upstream's" >&2
  exit 1
fi

# --- runs ----------------------------------------------------------------------------------------
run_wrk() { # run_wrk DURATION URL OUTFILE; in the background, so a TERM is acted on at once
  start "$WRK_CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" --latency "$2" >"$3" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID"
  WRK_PID=
}

to_ms() { # wrk's "1.23ms", "456.00us", "1.02s" -> milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

pct() { to_ms "$(awk -v p="$2%" '$1 == p {print $2}' "$1")"; }
total() { awk '/requests in/ {print $1}' "$1"; }
errors() { # non-2xx responses and socket errors, as wrk reports them
  awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$1"
}
accepts() { curl -s "http://127.0.0.1:$NGINX_PORT/nginx_status" | awk 'NR == 3 {print $1}'; }

echo "route middleware: [$MIDDLEWARE]"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; gateway :$GATEWAY_PORT -> nginx :$NGINX_PORT" \
  "(cpus: wrk ${WRK_CPUS:-any}, servers ${SERVER_CPUS:-any})"
echo "warming up the gateway for $WARMUP ..."
run_wrk "$WARMUP" "$GATEWAY_URL" "$WORK/warmup-gateway.txt"
before=$(accepts)
echo "measuring the gateway for $DURATION ..."
run_wrk "$DURATION" "$GATEWAY_URL" "$WORK/gateway.txt"
upstream_conns=$(($(accepts) - before - 1)) # minus the stub_status request itself
run_wrk 2s "$DIRECT_URL" "$WORK/warmup-direct.txt"
echo "measuring nginx directly for $DURATION ..."
run_wrk "$DURATION" "$DIRECT_URL" "$WORK/direct.txt"

# --- report --------------------------------------------------------------------------------------
g_rps=$(rps "$WORK/gateway.txt") d_rps=$(rps "$WORK/direct.txt")
g_p50=$(pct "$WORK/gateway.txt" 50) d_p50=$(pct "$WORK/direct.txt" 50)
g_p99=$(pct "$WORK/gateway.txt" 99) d_p99=$(pct "$WORK/direct.txt" 99)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
printf '%-10s %12s %10s %10s %10s\n' "" "requests/s" "p50 ms" "p99 ms" "errors"
printf '%-10s %12s %10s %10s %10s\n' gateway "$g_rps" "$g_p50" "$g_p99" "$(errors "$WORK/gateway.txt")"
printf '%-10s %12s %10s %10s %10s\n' direct "$d_rps" "$d_p50" "$d_p99" "$(errors "$WORK/direct.txt")"
printf '%-10s %12s %10s %10s\n' gw/direct "$(ratio "$g_rps" "$d_rps")" "$(ratio "$g_p50" "$d_p50")" \
  "$(ratio "$g_p99" "$d_p99")"
echo "upstream connections the gateway opened while measured: $upstream_conns" \
  "for $(total "$WORK/gateway.txt") requests"
problems=$(grep -vE '^\{' "$WORK/gateway.log" | grep -cE 'WARNING|SEVERE|Exception' || true)
echo "gateway log: $problems WARNING/SEVERE/exception lines ($(wc -l <"$WORK/gateway.log") lines in all," \
  "$(grep -c '^{' "$WORK/gateway.log" || true) access-log lines)"
if [[ -n $RESULTS_TSV ]]; then
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$CONNECTIONS" "$g_rps" "$g_p50" \
    "$g_p99" "$d_rps" "$d_p50" "$d_p99" "$upstream_conns" "[$MIDDLEWARE]" >>"$RESULTS_TSV"
fi
