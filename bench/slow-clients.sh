#!/usr/bin/env bash
# Slow uploaders must not take a normal route down: UPLOADERS connections (1,000) each send a
# request body at one byte every INTERVAL seconds (2) to one route, from one client address
# (127.0.0.2), while wrk measures a normal route to the same upstream from another (127.0.0.1).
# Run once per JDK: on Java 17 the embedded runner has 200 platform request threads (a request
# thread per upload would let 200 uploaders stop every route), on Java 21+ virtual threads (an
# upstream connection per upload would let 600 fill that upstream's pool of 512).
#
#   bench/slow-clients.sh           # from the repository root, after `mvn -DskipTests package`
#   JAVA_HOMES=/usr/lib/jvm/temurin-25-jdk-amd64 UPLOADERS=500 bench/slow-clients.sh
#
# Starts nginx on loopback as the upstream: 64 bytes from memory on /json (bench/lib.sh), and on
# /upload/ a location that reads the whole request body before answering (nginx buffers a body
# before proxying it, here to itself), so an upload holds its upstream connection as long as its
# client trickles. Per JDK: starts `java -jar target/gateway.war` with the default limits (only
# the routes are configured), warms /json up, measures it alone, starts the uploaders (a python3
# asyncio script: loopback only, at most UPLOADERS connections at once, every one ended after
# ATTACK seconds; an uploader that gets an answer, a 503 or a 408, comes back after INTERVAL),
# waits until they are connected, measures /json again meanwhile, and reports /json's requests,
# p50, p99 and failures (non-2xx and socket errors) both times, the gateway's upstream connections
# held by uploads, and what the uploaders got.
#
# Environment (defaults in brackets):
#   JAVA_HOMES [JDK 17 and Temurin 25 under /usr/lib/jvm]   one run per JDK
#   UPLOADERS [1000]     slow uploads at once            INTERVAL [2]   seconds between their bytes
#   CONNECTIONS [32]     wrk connections on /json        DURATION [15s] each /json run
#   WARMUP [20s]         wrk on /json before the first measurement
#   JAVA_OPTS []         extra JVM options for the gateway
#   WRK_CPUS []  SERVER_CPUS []  pin the load generators / the servers with taskset -c
#   KEEP_LOGS []         1 keeps the temp dir with the configs and logs
set -euo pipefail

UPLOADERS=${UPLOADERS:-1000}
INTERVAL=${INTERVAL:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-20s}
WRK_CPUS=${WRK_CPUS:-}
SERVER_CPUS=${SERVER_CPUS:-}
if [[ -z ${JAVA_HOMES:-} ]]; then
  for home in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64; do
    [[ -x $home/bin/java ]] && JAVA_HOMES+="${JAVA_HOMES:+ }$home"
  done
fi

cd "$(dirname "$0")/.."
source bench/lib.sh
bench_need nginx wrk python3 curl ss
bench_init slow-clients
GATEWAY_JAVA_OPTS=${JAVA_OPTS:-}
# the uploads' client connections, their upstream connections and nginx's own, plus slack
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) >= 3 * UPLOADERS + 1000)) ||
  bench_fail "open files limit $(ulimit -n) is too low for $UPLOADERS uploaders"

# --- the upstream ----------------------------------------------------------------------------------
start_nginx_upstream "$SERVER_CPUS" '    location /upload/ {
      client_body_timeout 600s;
      proxy_pass http://127.0.0.1:$server_port/uploaded;
    }
    location = /uploaded {
      default_type application/json;
      return 200 '"'"'{"uploaded":true}\n'"'"';
    }'

cat >"$WORK/uploaders.py" <<'PY'
import asyncio, collections, sys, time

PORT, COUNT, INTERVAL, SECONDS = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
SOURCE = "127.0.0.2"  # one client address, not the measuring wrk's
LENGTH = 1_000_000    # never reached at one byte per INTERVAL: every upload trickles to the end
got = collections.Counter()
connected = 0  # uploads under way now
started = 0    # uploaders that have connected at least once

async def upload(i, deadline):
    global connected, started
    first = True
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", PORT, local_addr=(SOURCE, 0))
        except OSError:
            got["connect failed"] += 1
            await asyncio.sleep(INTERVAL)
            continue
        connected += 1
        started += first
        first = False
        writer.write(f"POST /upload/{i} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/octet-stream\r\n"
                     f"Content-Length: {LENGTH}\r\n\r\n".encode())
        answer = asyncio.ensure_future(reader.readline())
        try:
            while time.monotonic() < deadline and not answer.done():
                writer.write(b"x")
                await writer.drain()
                await asyncio.wait([answer], timeout=INTERVAL)
        except ConnectionError:
            pass
        connected -= 1
        if answer.done() and not answer.cancelled() and answer.exception() is None:
            line = answer.result().split()
            got["answered " + (line[1].decode() if len(line) > 1 else "nothing")] += 1
            writer.close()
            await asyncio.sleep(INTERVAL)  # a refused uploader comes back, slowly
        else:
            answer.cancel()
            got["still uploading at the end" if time.monotonic() >= deadline else "reset unanswered"] += 1
            writer.close()
            return

async def report(deadline):
    while time.monotonic() < deadline:
        print(f"started {started} connected {connected}", flush=True)
        await asyncio.sleep(1)

async def main():
    deadline = time.monotonic() + SECONDS
    tasks = [asyncio.ensure_future(upload(i, deadline)) for i in range(COUNT)]
    asyncio.ensure_future(report(deadline))
    await asyncio.gather(*tasks)
    for what, n in sorted(got.items()):
        print(f"uploads: {what}: {n}", flush=True)

asyncio.run(main())
PY

cat >"$WORK/gateway.yaml" <<EOF
routes:
  - path: /json
    target: http://127.0.0.1:$NGINX_PORT
  - path: /upload/*
    target: http://127.0.0.1:$NGINX_PORT
EOF

uploads_upstream() { # the gateway's connections to nginx, less wrk's (at most CONNECTIONS)
  ss -Htn state established "( dport = :$NGINX_PORT )" | wc -l
}
wrk_json() { # wrk_json DURATION OUTPUT: wrk on $base/json in the foreground (pinned execs: a subshell)
  (pinned "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"$1" --latency "$base/json" >"$2" 2>&1)
}
uploaders_started() { sed -n 's/^started \([0-9]*\) .*/\1/p' "$1" | tail -n1; }
uploaders_connected() { sed -n 's/^started [0-9]* connected //p' "$1" | tail -n1; }

# --- runs ------------------------------------------------------------------------------------------
printf '%s\n' "jdk	threads	uploads	json_requests	json_rps	json_p50_ms	json_p99_ms	json_failed	upstream_conns	uploads_got" \
  >"$WORK/results.tsv"
for home in $JAVA_HOMES; do
  BENCH_JAVA=$home/bin/java
  jdk=$("$BENCH_JAVA" -version 2>&1 | sed -n '1s/.*version "\([^"]*\)".*/\1/p')
  start_gateway "$SERVER_CPUS" "$WORK/gateway.yaml" "gateway-$jdk"
  base="http://127.0.0.1:$GATEWAY_PORT"
  wait_for_200 "$base/json" 30 "$GATEWAY_PID" || bench_fail "the gateway ($jdk) does not answer" \
    "$WORK/gateway-$jdk.log"
  threads=$(sed -n 's/.*requests run on \([a-z]*\) threads.*/\1/p' "$WORK/gateway-$jdk.log" | head -n1)
  echo "$jdk ($threads threads): warming /json up for $WARMUP ..." >&2
  wrk_json "$WARMUP" /dev/null
  echo "$jdk: measuring /json alone for $DURATION ..." >&2
  wrk_json "$DURATION" "$WORK/alone-$jdk.txt"

  # the uploads last for the ramp-up, the measurement and some rounds of refusals after it
  attack=$((${DURATION%s} + 30))
  bench_spawn "$WRK_CPUS" "$WORK/uploaders-$jdk.txt" \
    python3 "$WORK/uploaders.py" "$GATEWAY_PORT" "$UPLOADERS" "$INTERVAL" "$attack"
  uploaders_pid=$BENCH_PID
  for _ in $(seq 100); do # up to 20 s for the uploaders to connect
    (($(uploaders_started "$WORK/uploaders-$jdk.txt") + 0 >= UPLOADERS * 9 / 10)) && break
    sleep 0.2
  done
  sleep "$((INTERVAL * 2))" # every uploader has sent bytes, and the refused ones have heard so
  echo "$jdk: $(uploaders_connected "$WORK/uploaders-$jdk.txt") uploads under way," \
    "$(uploads_upstream) gateway connections to the upstream; measuring /json for $DURATION ..." >&2
  wrk_json "$DURATION" "$WORK/attacked-$jdk.txt"
  held=$(uploads_upstream)
  echo "$jdk: waiting for the uploaders to stop ..." >&2
  wait "$uploaders_pid" || true
  bench_stop "$GATEWAY_PID"

  a=$WORK/alone-$jdk.txt f=$WORK/attacked-$jdk.txt
  printf '%s\t%s\tnone\t%s\t%s\t%s\t%s\t%s\t-\t-\n' "$jdk" "$threads" "$(wrk_total "$a")" \
    "$(rps "$a")" "$(wrk_pct "$a" 50)" "$(wrk_pct "$a" 99)" "$(wrk_errors "$a")" >>"$WORK/results.tsv"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$jdk" "$threads" "$UPLOADERS" \
    "$(wrk_total "$f")" "$(rps "$f")" "$(wrk_pct "$f" 50)" "$(wrk_pct "$f" 99)" \
    "$(wrk_errors "$f")" "$held" \
    "$(sed -n 's/^uploads: //p' "$WORK/uploaders-$jdk.txt" | paste -sd ';' -)" >>"$WORK/results.tsv"
done

echo
echo "/json: wrk -t1 -c$CONNECTIONS -d$DURATION from 127.0.0.1, alone and while $UPLOADERS uploads from"
echo "127.0.0.2 send a byte every ${INTERVAL}s to /upload/ (the same upstream)"
column -t -s $'\t' "$WORK/results.tsv"
echo "(json_failed: non-2xx answers and socket errors; upstream_conns: the gateway's connections to"
echo " nginx at the end of the attacked run, wrk's $CONNECTIONS included; uploads_got: per upload"
echo " attempt, what it got: 'still uploading at the end' = held until the attack stopped, 'reset"
echo " unanswered' = the connection failed before an answer was read)"
