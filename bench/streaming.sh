#!/usr/bin/env bash
# Streaming throughput: a 1 GiB download and a 1 GiB upload, straight to nginx and through the
# gateway at -Xmx128m, with the gateway's heap sampled during every transfer.
#
#   mvn -B -DskipTests package && bench/streaming.sh         # from the repository root
#   RUNS=5 SIZE=2G bench/streaming.sh
#
# nginx serves a SIZE file (sparse, from the page cache) at /big.bin and stores uploads PUT to
# /upload/NAME (WebDAV PUT, client_max_body_size 0: nginx writes the body to a temp file, in the
# page cache, and renames it); the script checks every stored file's size and deletes it. (A
# location that only discards the body answers before it has read it, so nothing would show that
# every byte arrived.) The gateway has two routes to it, no middleware. Two references run beside
# it on the same cpu, to tell what any proxy costs on this machine from what the gateway costs:
# HAProxy (Debian package, HTTP mode, 1 thread; once copying bodies through its buffers, once with
# kernel splicing, `option splice-request/-response`) and bench/tcp-relay, a JVM TCP relay with no HTTP
# at all (one blocking thread per direction, RELAY_BUFFER bytes: the floor a Java proxy can reach).
# curl (pinned to CLIENT_CPUS) downloads and uploads (PUT, no Expect: 100-continue) direct and
# through each proxy in turn, RUNS times each, after one warm-up transfer each way through each
# proxy. jstat samples the gateway's heap every 250 ms while it transfers.
#
# Reports MiB/s (medians), ratios to direct (issue 7's target for the gateway: >= 0.7), each
# proxy's and the nginx worker's CPU time per GiB moved (robust to foreign load, unlike MiB/s),
# and the gateway's heap: largest used heap (young + old) and old generation seen in any sample,
# and the old generation before and after the transfers.
#
# Environment (defaults in brackets):
#   RUNS [3]  SIZE [1G] (anything truncate -s takes)
#   STREAM_JAVA_FLAGS [-Xmx128m -XX:+UseParallelGC]   the gateway's JVM flags
#   BENCH_JAVA_HOME [Temurin 25 when installed]
#   SERVER_CPUS [0]  CLIENT_CPUS [1]   taskset -c lists
#   TARGETS [direct haproxy haproxy-splice relay gateway]   RELAY_BUFFER [131072]
#   RESULTS_DIR [bench/results]  KEEP_LOGS []
set -euo pipefail

RUNS=${RUNS:-3}
SIZE=${SIZE:-1G}
SERVER_CPUS=${SERVER_CPUS-0}
CLIENT_CPUS=${CLIENT_CPUS-1}
RESULTS_DIR=${RESULTS_DIR:-bench/results}
TARGETS=${TARGETS:-direct haproxy haproxy-splice relay gateway}
RELAY_BUFFER=${RELAY_BUFFER:-131072}

cd "$(dirname "$0")/.."
source bench/lib.sh
BENCH_JAVA_FLAGS=${STREAM_JAVA_FLAGS:--Xmx128m -XX:+UseParallelGC}
JSTAT=${BENCH_JAVA_HOME:+$BENCH_JAVA_HOME/bin/}jstat
bench_need nginx curl ss taskset awk truncate "$BENCH_JAVA" "$JSTAT"
bench_init streaming
[[ -f target/gateway.war ]] ||
  bench_fail "target/gateway.war is missing; build it first: mvn -B -DskipTests package"
mkdir -p "$RESULTS_DIR" "$WORK/nginx/html"
REPORT="$RESULTS_DIR/streaming-$(date -u +%Y%m%dT%H%M%SZ).md"
started=$SECONDS

truncate -s "$SIZE" "$WORK/nginx/html/big.bin"
BYTES=$(stat -c %s "$WORK/nginx/html/big.bin")
# nginx's worker runs as nobody when started by root: it must be able to read the file
# and write the uploads
UPLOADS="$WORK/nginx/html/upload"
mkdir -p "$UPLOADS"
chmod 755 "$WORK" "$WORK/nginx" "$WORK/nginx/html" && chmod 644 "$WORK/nginx/html/big.bin"
chmod 777 "$UPLOADS"
start_nginx_upstream "$SERVER_CPUS" "    location = /big.bin {
      root $WORK/nginx/html;
      sendfile on;
    }
    location /upload/ {
      root $WORK/nginx/html;
      dav_methods PUT;
      client_max_body_size 0;
    }"
UPSTREAM="http://127.0.0.1:$NGINX_PORT"

cat >"$WORK/gateway.yaml" <<EOF
routes:
  - path: /big.bin
    target: $UPSTREAM
    middleware: []
  - path: /upload/*
    target: $UPSTREAM
    middleware: []
EOF
start_gateway "$SERVER_CPUS" "$WORK/gateway.yaml" gateway
declare -A BASE=([direct]=$UPSTREAM [gateway]="http://127.0.0.1:$GATEWAY_PORT")
declare -A PROXY_PID=([gateway]=$GATEWAY_PID)
if [[ " $TARGETS " == *" haproxy "* ]]; then
  bench_need_haproxy
  start_haproxy "$SERVER_CPUS" "$NGINX_PORT"
  BASE[haproxy]="http://127.0.0.1:$HAPROXY_PORT" PROXY_PID[haproxy]=$HAPROXY_PID
fi
if [[ " $TARGETS " == *" haproxy-splice "* ]]; then
  # the same HAProxy moving bodies with splice(2): socket to socket through a kernel pipe, no copy
  # to user space (what no servlet can do: the JDK has no socket-to-socket zero copy)
  bench_need_haproxy
  start_haproxy "$SERVER_CPUS" "$NGINX_PORT" haproxy-splice "option splice-request" "option splice-response"
  BASE[haproxy-splice]="http://127.0.0.1:$HAPROXY_PORT" PROXY_PID[haproxy-splice]=$HAPROXY_PID
fi
if [[ " $TARGETS " == *" relay "* ]]; then
  RELAY_PORT=$(free_port)
  # the source launcher compiles the one file at start; same JVM and flags as the gateway
  # shellcheck disable=SC2086 # flags are words
  bench_spawn "$SERVER_CPUS" "$WORK/relay.log" "$BENCH_JAVA" $BENCH_JAVA_FLAGS \
    bench/tcp-relay/TcpRelay.java "$RELAY_PORT" "$NGINX_PORT" "$RELAY_BUFFER"
  wait_for_200 "http://127.0.0.1:$RELAY_PORT/json" 60 "$BENCH_PID" ||
    bench_fail "the TCP relay did not start" "$WORK/relay.log"
  BASE[relay]="http://127.0.0.1:$RELAY_PORT" PROXY_PID[relay]=$BENCH_PID
fi

# transfer KIND URL: prints "MiB/s bytes status"; KIND is download or upload
transfer() {
  local kind=$1 url=$2 out
  if [[ $kind == download ]]; then
    out=$(pinned "$CLIENT_CPUS" curl -s -o /dev/null -w '%{speed_download} %{size_download} %{http_code}' "$url")
  else
    out=$(pinned "$CLIENT_CPUS" curl -s -o /dev/null -H 'Expect:' -T "$WORK/nginx/html/big.bin" \
      -w '%{speed_upload} %{size_upload} %{http_code}' "$url")
  fi
  awk '{printf "%.1f %d %s\n", $1 / 1048576, $2, $3}' <<<"$out"
}

old_used_kb() { "$JSTAT" -gc "$GATEWAY_PID" | awk 'NR == 2 {print $8}'; }

# one KIND TARGET URL RUN: one transfer, checked, with heap sampling for the gateway -> a TSV row
one() {
  local kind=$1 target=$2 url=$3 run=$4 sampler= t0 t1 result rate bytes status
  if [[ $target == gateway ]]; then
    # S0U S1U EU OU are columns 3, 4, 6 and 8 of jstat -gc
    "$JSTAT" -gc "$GATEWAY_PID" 250 >"$WORK/jstat-$kind-$run.txt" 2>&1 &
    sampler=$!
    BENCH_PIDS+=("$sampler")
  fi
  local n0 n1 workers
  workers=$(nginx_worker_pids | tr '\n' ' ')
  # shellcheck disable=SC2086 # a list of pids
  local proxy=${PROXY_PID[$target]:-}
  t0=$(cpu_ticks $proxy) n0=$(cpu_ticks $workers)
  result=$(transfer "$kind" "$url")
  # shellcheck disable=SC2086
  t1=$(cpu_ticks $proxy) n1=$(cpu_ticks $workers)
  [[ -n $sampler ]] && bench_stop "$sampler"
  read -r rate bytes status <<<"$result"
  [[ $status == 200 || ($kind == upload && ($status == 201 || $status == 204)) ]] || bench_fail "$kind $target: HTTP $status" "$WORK/gateway.log"
  if [[ $kind == download ]]; then
    ((bytes == BYTES)) || bench_fail "download $target: $bytes bytes, not $BYTES"
  else
    local stored
    stored=$(stat -c %s "$UPLOADS/${url##*/}" 2>/dev/null || echo 0)
    rm -f "$UPLOADS/${url##*/}"
    ((bytes == BYTES && stored == BYTES)) ||
      bench_fail "upload $target: curl sent $bytes bytes, nginx stored $stored, not $BYTES" \
        "$WORK/gateway.log"
  fi
  local heap=- old=- cpu=- ygc=- ncpu
  ncpu=$(awk -v a="$n0" -v b="$n1" -v hz="$CLK_TCK" -v n="$BYTES" 'BEGIN {printf "%.2f", (b - a) / hz / (n / 1073741824)}')
  if [[ $target == gateway ]]; then
    heap=$(awk '$1 ~ /^[0-9.]+$/ {u = ($3 + $4 + $6 + $8) / 1024; if (u > m) m = u} END {printf "%.1f", m}' "$WORK/jstat-$kind-$run.txt")
    old=$(awk '$1 ~ /^[0-9.]+$/ {u = $8 / 1024; if (u > m) m = u} END {printf "%.1f", m}' "$WORK/jstat-$kind-$run.txt")
    # young collections during the transfer: YGC is column 13
    ygc=$(awk '$1 ~ /^[0-9.]+$/ {if (first == "") first = $13; last = $13} END {print last - first}' "$WORK/jstat-$kind-$run.txt")
  fi
  if [[ -n $proxy ]]; then
    cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" -v n="$BYTES" \
      'BEGIN {printf "%.2f", (b - a) / hz / (n / 1073741824)}')
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$kind" "$target" "$rate" "$heap" "$old" "$cpu" "$ygc" "$ncpu" | tee -a "$WORK/rows.tsv" >&2
}

echo "streaming: $RUNS run(s), $BYTES bytes each way through: $TARGETS; java: $BENCH_JAVA" \
  "$BENCH_JAVA_FLAGS; servers on cpu ${SERVER_CPUS:-any}, curl on cpu ${CLIENT_CPUS:-any}" >&2
old_start=$(old_used_kb)
echo "warm-up: one download and one upload through each proxy ..." >&2
for target in $TARGETS; do
  [[ $target == direct ]] && continue
  [[ $(transfer download "${BASE[$target]}/big.bin") == *" 200" ]] ||
    bench_fail "warm-up download through $target failed" "$WORK/gateway.log"
  [[ $(transfer upload "${BASE[$target]}/upload/warm-up") == *" 20"[14] ]] ||
    bench_fail "warm-up upload through $target failed" "$WORK/gateway.log"
done
rm -f "$UPLOADS"/*
printf 'run\tkind\ttarget\tMiB/s\tmax heap used MB\tmax old MB\tproxy CPU s/GiB\tyoung GCs\tnginx CPU s/GiB\n' >&2
for run in $(seq "$RUNS"); do
  for target in $TARGETS; do
    one download "$target" "${BASE[$target]}/big.bin" "$run"
  done
  for target in $TARGETS; do
    one upload "$target" "${BASE[$target]}/upload/$target-$run" "$run"
  done
done
old_end=$(old_used_kb)

{
  echo "## bench/streaming.sh, $(date -u '+%F %H:%M') UTC"
  echo
  echo "RUNS=$RUNS, $BYTES bytes each way, curl on cpu ${CLIENT_CPUS:-any}, nginx and the proxy on" \
    "cpu ${SERVER_CPUS:-any}; gateway and relay: $("$BENCH_JAVA" -version 2>&1 | head -n1)," \
    "\`$BENCH_JAVA_FLAGS\`; relay buffer $RELAY_BUFFER bytes."
  echo
  awk -F'\t' -v targets="$TARGETS" '
    function median(list,   a, n, i, j, t) {
      n = split(list, a, " ")
      if (n == 0) return ""
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    {
      k = $2 SUBSEP $3; rate[k] = rate[k] " " $4; ncpu[k] = ncpu[k] " " $9
      if ($7 != "-") cpu[k] = cpu[k] " " $7
      if ($3 == "gateway") { if ($5 > heap[$2]) heap[$2] = $5; if ($6 > old[$2]) old[$2] = $6; ygc[$2] = ygc[$2] " " $8 }
    }
    END {
      print "| transfer | through | MiB/s (median) | ÷ direct | proxy CPU s/GiB | nginx CPU s/GiB | runs (MiB/s) |"
      print "|---|---|---:|---:|---:|---:|---|"
      nt = split(targets, T, " "); split("download upload", K, " ")
      for (i = 1; i <= 2; i++) {
        d = median(rate[K[i] SUBSEP "direct"])
        for (t = 1; t <= nt; t++) {
          k = K[i] SUBSEP T[t]; r = median(rate[k]); c = median(cpu[k])
          printf "| %s | %s | %.0f | %s | %s | %.2f | %s |\n", K[i], T[t], r,
            d == "" ? "-" : sprintf("%.2f", r / d), c == "" ? "-" : sprintf("%.2f", c), median(ncpu[k]), rate[k]
        }
      }
      print ""
      for (i = 1; i <= 2; i++) {
        d = median(rate[K[i] SUBSEP "direct"]); g = median(rate[K[i] SUBSEP "gateway"])
        if (d == "" || g == "") continue
        printf "- %s: gateway ÷ direct %.2f (target >= 0.7: %s)", K[i], g / d, (g / d >= 0.7) ? "met" : "NOT met"
        for (t = 1; t <= nt; t++) if (T[t] != "direct" && T[t] != "gateway" && rate[K[i] SUBSEP T[t]] != "")
          printf "; ÷ %s %.2f", T[t], g / median(rate[K[i] SUBSEP T[t]])
        printf "; gateway heap: max used %.1f MB, max old gen %.1f MB, young GCs per transfer%s\n", heap[K[i]], old[K[i]], ygc[K[i]]
      }
    }' "$WORK/rows.tsv"
  echo
  echo "Heap: jstat -gc every 250 ms during each gateway transfer; used = S0U+S1U+EU+OU. Old generation" \
    "before the first transfer: $(awk -v k="$old_start" 'BEGIN {printf "%.1f", k / 1024}') MB, after the last:" \
    "$(awk -v k="$old_end" 'BEGIN {printf "%.1f", k / 1024}') MB. Total time: $((SECONDS - started)) s."
} | tee "$REPORT"
