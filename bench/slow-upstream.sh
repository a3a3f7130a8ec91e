#!/usr/bin/env bash
# A slow upstream must not take a fast route down with it: 2,000 concurrent requests held by an
# upstream that answers after 5 s, and, on the same gateway at the same time, a fast route measured
# with wrk. Run once per threading model of the embedded runner (-Dgateway.threads=...).
#
#   bench/slow-upstream.sh            # from the repository root, after `mvn -DskipTests package`
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java MODELS="virtual platform" bench/slow-upstream.sh
#
# Starts nginx on loopback as the fast upstream (64 bytes from memory, bench/lib.sh) and a small
# python3 asyncio server as the slow one (answers every request after SLOW_DELAY, keep-alive,
# thousands of connections in one thread), then, per model: starts `java -jar target/gateway.war`
# with a /fast route to nginx and a /slow route to the slow server, warms /fast up, opens
# SLOW_CONNECTIONS wrk connections on /slow (each sends its next request as soon as the previous
# one is answered), waits until they are all in flight, measures /fast with a second wrk while they
# are held, and reports /fast's requests/s, p50, p99 and errors, and how many /slow requests
# completed or failed. Everything listens on 127.0.0.1 on free ports and is stopped on exit.
#
# Environment (defaults in brackets):
#   MODELS [virtual platform]  values of -Dgateway.threads to run (virtual needs Java 21+)
#   JAVA [java]             the JVM for the gateway
#   SLOW_CONNECTIONS [2000] concurrent requests on the slow route   SLOW_DELAY [5]  seconds
#   FAST_CONNECTIONS [32]   wrk connections on the fast route       DURATION [15s]  fast run
#   WARMUP [30s]            wrk on /fast before the slow load starts
#   JAVA_OPTS []            extra JVM options for the gateway
#   WRK_CPUS []  SERVER_CPUS []  pin the load generators / the servers with taskset -c
#   KEEP_LOGS []            1 keeps the temp dir with the configs and logs
set -euo pipefail

MODELS=${MODELS:-virtual platform}
JAVA=${JAVA:-java}
SLOW_CONNECTIONS=${SLOW_CONNECTIONS:-2000}
SLOW_DELAY=${SLOW_DELAY:-5}
FAST_CONNECTIONS=${FAST_CONNECTIONS:-32}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-30s}
JAVA_OPTS=${JAVA_OPTS:-}
WRK_CPUS=${WRK_CPUS:-}
SERVER_CPUS=${SERVER_CPUS:-}
KEEP_LOGS=${KEEP_LOGS:-}

cd "$(dirname "$0")/.."
source bench/lib.sh
WAR=target/gateway.war
[[ -f $WAR ]] || { echo "bench/slow-upstream.sh: build first: mvn -DskipTests package" >&2; exit 1; }
for tool in nginx wrk python3 curl ss "$JAVA"; do
  command -v "$tool" >/dev/null || { echo "bench/slow-upstream.sh: '$tool' not found" >&2; exit 1; }
done
# 2,000 client connections, 2,000 upstream connections and the slow server's 2,000, plus slack
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < 3 * SLOW_CONNECTIONS + 1000)); then
  echo "bench/slow-upstream.sh: open files limit $(ulimit -n) is too low for $SLOW_CONNECTIONS" >&2
  exit 1
fi

WORK=$(mktemp -d -t gateway-slow-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $KEEP_LOGS == 1 ]]; then echo "logs and configs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pinned() { # pinned CPUS command...: under taskset when CPUS is set (in the foreground)
  local cpus=$1
  shift
  if [[ -n $cpus ]]; then taskset -c "$cpus" "$@"; else "$@"; fi
}

start() { # start CPUS command... &: exec'd, so $! is the command's own pid and cleanup stops it
  local cpus=$1
  shift
  if [[ -n $cpus ]]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

wait_for_200() { # wait_for_200 URL SECONDS
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$1") == 200 ]] && return 0
    sleep 0.2
  done
  return 1
}

# --- upstreams -------------------------------------------------------------------------------------
FAST_PORT=$(free_port)
write_nginx_conf "$WORK/nginx" "$FAST_PORT"
start "$SERVER_CPUS" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" \
  -e "$WORK/nginx/logs/error.log" >/dev/null 2>&1 &
PIDS+=($!)

SLOW_PORT=$(free_port)
cat >"$WORK/slow.py" <<'PY'
import asyncio, sys

PORT, DELAY = int(sys.argv[1]), float(sys.argv[2])
BODY = b'{"slow":true}\n'
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)

async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")  # bodiless GETs only
            if not head.startswith(b"GET /ready"):
                await asyncio.sleep(DELAY)
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()

async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", PORT, backlog=8192)
    async with server:
        await server.serve_forever()

asyncio.run(main())
PY
start "$SERVER_CPUS" python3 "$WORK/slow.py" "$SLOW_PORT" "$SLOW_DELAY" >"$WORK/slow.log" 2>&1 &
PIDS+=($!)
wait_for_200 "http://127.0.0.1:$FAST_PORT/" 10 || { echo "nginx did not start" >&2; exit 1; }
wait_for_200 "http://127.0.0.1:$SLOW_PORT/ready" 10 || { echo "slow upstream did not start" >&2; exit 1; }

cat >"$WORK/gateway.yaml" <<EOF
server:
  port: 0
upstream:
  max_connections: 8192
  max_connections_per_route: 4096   # every slow request gets its own upstream connection
routes:
  - path: /fast
    target: http://127.0.0.1:$FAST_PORT
  - path: /slow
    target: http://127.0.0.1:$SLOW_PORT
EOF

# --- wrk output --------------------------------------------------------------------------------------
to_ms() { # wrk's "1.23ms", "456.00us", "1.02s" -> milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}
pct() { to_ms "$(awk -v p="$2%" '$1 == p {print $2}' "$1")"; }
total() { awk '/requests in/ {print $1}' "$1"; }
failed() { # non-2xx responses and socket errors (connect, read, write, timeout)
  awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$1"
}
in_flight() { # established connections to the slow upstream
  ss -Htn state established "dport = :$SLOW_PORT" | wc -l
}

# --- runs --------------------------------------------------------------------------------------------
printf '%s\n' "model	slow_load	fast_requests	fast_rps	fast_p50_ms	fast_p99_ms	fast_failed	slow_completed	slow_failed" \
  >"$WORK/results.tsv"
for model in $MODELS; do
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  start "$SERVER_CPUS" "$JAVA" $JAVA_OPTS "-Dgateway.threads=$model" -jar "$WAR" \
    --config "$WORK/gateway.yaml" >"$WORK/gateway-$model.log" 2>&1 &
  gateway_pid=$!
  PIDS+=("$gateway_pid")
  port=
  for _ in $(seq 600); do
    port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$WORK/gateway-$model.log" | head -n1)
    [[ -n $port ]] && break
    kill -0 "$gateway_pid" 2>/dev/null || break
    sleep 0.1
  done
  base="http://127.0.0.1:$port"
  if [[ -z $port ]] || ! wait_for_200 "$base/fast" 30; then
    echo "bench/slow-upstream.sh: the gateway ($model) did not start:" >&2
    cat "$WORK/gateway-$model.log" >&2
    exit 1
  fi
  grep -h "requests run on" "$WORK/gateway-$model.log" >&2 || true
  echo "$model: warming /fast up for $WARMUP ..." >&2
  pinned "$WRK_CPUS" wrk -t1 -c"$FAST_CONNECTIONS" -d"$WARMUP" "$base/fast" >/dev/null
  # the same measurement without the slow load: what this (shared) machine gives at the moment
  echo "$model: measuring /fast alone for $DURATION ..." >&2
  pinned "$WRK_CPUS" wrk -t1 -c"$FAST_CONNECTIONS" -d"$DURATION" --latency "$base/fast" \
    >"$WORK/alone-$model.txt" 2>&1

  # slow load: long enough to cover the ramp-up, the fast run and one more round of slow answers
  slow_seconds=$((SLOW_DELAY * 2 + ${DURATION%s} + 20))
  start "$WRK_CPUS" wrk -t1 -c"$SLOW_CONNECTIONS" -d"${slow_seconds}s" \
    --timeout "$((SLOW_DELAY * 2 + 5))s" "$base/slow" >"$WORK/slow-$model.txt" 2>&1 &
  slow_wrk=$!
  PIDS+=("$slow_wrk")
  for _ in $(seq 100); do # up to 20 s for the slow requests to be in flight
    (($(in_flight) >= SLOW_CONNECTIONS * 9 / 10)) && break
    sleep 0.2
  done
  echo "$model: $(in_flight) requests held by the slow upstream; measuring /fast for $DURATION ..." >&2
  pinned "$WRK_CPUS" wrk -t1 -c"$FAST_CONNECTIONS" -d"$DURATION" --latency "$base/fast" \
    >"$WORK/fast-$model.txt" 2>&1
  echo "$model: still held after the fast run: $(in_flight); waiting for the slow run ..." >&2
  wait "$slow_wrk" || true
  kill -TERM "$gateway_pid" 2>/dev/null || true
  wait "$gateway_pid" 2>/dev/null || true

  a=$WORK/alone-$model.txt f=$WORK/fast-$model.txt s=$WORK/slow-$model.txt
  printf '%s\tnone\t%s\t%s\t%s\t%s\t%s\t-\t-\n' "$model" "$(total "$a")" "$(rps "$a")" \
    "$(pct "$a" 50)" "$(pct "$a" 99)" "$(failed "$a")" >>"$WORK/results.tsv"
  slow_non2xx=$(awk '/Non-2xx/ {print $NF}' "$s")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$model" "$SLOW_CONNECTIONS" "$(total "$f")" \
    "$(rps "$f")" "$(pct "$f" 50)" "$(pct "$f" 99)" "$(failed "$f")" \
    "$(($(total "$s") - ${slow_non2xx:-0}))" "$(failed "$s")" >>"$WORK/results.tsv"
done

echo
echo "fast route: wrk -t1 -c$FAST_CONNECTIONS -d$DURATION while $SLOW_CONNECTIONS requests wait ${SLOW_DELAY}s each on the slow route"
column -t -s $'\t' "$WORK/results.tsv"
echo "(slow_completed: /slow answers with a 2xx status; *_failed: non-2xx answers, timeouts and"
echo " socket errors; fast_requests: answers wrk got in the run, 0 = the fast route was stuck)"
