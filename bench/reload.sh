#!/usr/bin/env bash
# Throughput while the configuration is reloaded again and again, and how long a reload takes to
# show, with wrk.
#
#   bench/reload.sh                   # from the repository root, after `mvn -DskipTests package`
#   RUNS=3 RELOAD_EVERY=0.25 bench/reload.sh
#
# Starts nginx on loopback as the upstream, `java -jar target/gateway.war` in front of it with a
# config that alternates between two valid versions (routes /json to nginx under /a or /b, plus a
# marker route /only-a or /only-b), warms the JIT up, then per run:
#   1. wrk through the gateway for DURATION, config untouched;
#   2. wrk again for DURATION while the config is replaced (written to a temp file, renamed over
#      the old one) every RELOAD_EVERY seconds;
#   3. LATENCY_SAMPLES reloads, each timed from the rename to the first 200 from the new marker
#      route (curl polling every 10 ms, so figures are ~10 ms coarse).
# Prints requests/s and errors (non-2xx + socket errors, as wrk counts them) of 1 and 2, the
# reloads the gateway logged during 2, and the median reload latency; then medians over RUNS.
# Builds nothing. Everything listens on 127.0.0.1 on free ports and is stopped on exit.
#
# Environment (defaults in brackets):
#   RUNS [3]  DURATION [15s]  WARMUP [30s]  CONNECTIONS [32]  THREADS [2]
#   RELOAD_EVERY [0.5]        seconds between config replacements during run 2
#   LATENCY_SAMPLES [10]      reloads timed per run
#   JAVA_OPTS []  KEEP_LOGS []
set -euo pipefail

RUNS=${RUNS:-3}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-30s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
RELOAD_EVERY=${RELOAD_EVERY:-0.5}
LATENCY_SAMPLES=${LATENCY_SAMPLES:-10}
JAVA_OPTS=${JAVA_OPTS:-}
KEEP_LOGS=${KEEP_LOGS:-}

cd "$(dirname "$0")/.."
source bench/lib.sh
WAR=target/gateway.war
if [[ ! -f $WAR ]]; then
  echo "bench/reload.sh: $WAR is missing; build it first: mvn -DskipTests package" >&2
  exit 1
fi
for tool in nginx wrk java curl ss; do
  command -v "$tool" >/dev/null || { echo "bench/reload.sh: '$tool' not found" >&2; exit 1; }
done

WORK=$(mktemp -d -t gateway-reload-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $KEEP_LOGS == 1 ]]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

NGINX_PORT=$(free_port)
write_nginx_conf "$WORK/nginx" "$NGINX_PORT"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" \
  >"$WORK/nginx/logs/stdout.log" 2>&1 &
PIDS+=($!)

config() { # config a|b: the two valid versions
  cat <<EOF
server:
  port: 0
  reload:
    debounce: 20ms
routes:
  - path: /json
    target: http://127.0.0.1:$NGINX_PORT/$1
  - path: /only-$1
    target: http://127.0.0.1:$NGINX_PORT
EOF
}
CONFIG=$WORK/gateway.yaml
CURRENT=a
replace() { # replace a|b: atomically, as deployment tools do
  config "$1" >"$WORK/.gateway.yaml.tmp"
  mv "$WORK/.gateway.yaml.tmp" "$CONFIG"
  CURRENT=$1
}
flip() { if [[ $CURRENT == a ]]; then replace b; else replace a; fi; }
config a >"$CONFIG"

# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
java $JAVA_OPTS -jar "$WAR" --config "$CONFIG" >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
PORT=
for _ in $(seq 600); do
  PORT=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$WORK/gateway.log" | head -n1)
  [[ -n $PORT ]] && break
  sleep 0.1
done
[[ -n $PORT ]] || { echo "bench/reload.sh: the gateway did not start:" >&2; cat "$WORK/gateway.log" >&2; exit 1; }
URL=http://127.0.0.1:$PORT/json
code() { curl -s -o /dev/null -w '%{http_code}' "$1"; }

errors() {
  awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$1"
}
reloads_logged() { grep -c 'configuration reloaded' "$WORK/gateway.log" || true; }
median() { sort -n | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION; gateway :$PORT -> nginx :$NGINX_PORT; reload every ${RELOAD_EVERY}s"
echo "warming up for $WARMUP ..."
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$URL" >"$WORK/warmup.txt"

printf '%-4s %14s %7s %16s %7s %8s %14s\n' run "steady rps" errors "reloading rps" errors reloads "latency ms"
for run in $(seq "$RUNS"); do
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$URL" >"$WORK/steady-$run.txt"
  before=$(reloads_logged)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$URL" >"$WORK/reloading-$run.txt" &
  WRK=$!
  while kill -0 "$WRK" 2>/dev/null; do
    flip
    sleep "$RELOAD_EVERY"
  done
  wait "$WRK"
  sleep 1
  during=$(($(reloads_logged) - before))
  : >"$WORK/latency-$run.txt"
  for _ in $(seq "$LATENCY_SAMPLES"); do
    until [[ $(code "http://127.0.0.1:$PORT/only-$CURRENT") == 200 ]]; do sleep 0.01; done
    start=$(date +%s%N)
    flip
    until [[ $(code "http://127.0.0.1:$PORT/only-$CURRENT") == 200 ]]; do sleep 0.01; done
    echo $((($(date +%s%N) - start) / 1000000)) >>"$WORK/latency-$run.txt"
  done
  printf '%-4s %14s %7s %16s %7s %8s %14s\n' "$run" \
    "$(rps "$WORK/steady-$run.txt")" "$(errors "$WORK/steady-$run.txt")" \
    "$(rps "$WORK/reloading-$run.txt")" "$(errors "$WORK/reloading-$run.txt")" \
    "$during" "$(median <"$WORK/latency-$run.txt")"
done
printf '%-4s %14s %7s %16s %7s %8s %14s\n' median \
  "$(for r in $(seq "$RUNS"); do rps "$WORK/steady-$r.txt"; done | median)" "" \
  "$(for r in $(seq "$RUNS"); do rps "$WORK/reloading-$r.txt"; done | median)" "" "" \
  "$(cat "$WORK"/latency-*.txt | median)"
rejected=$(grep -c 'reload rejected' "$WORK/gateway.log" || true)
echo "reloads rejected: $rejected (expected 0)"
