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
# every byte arrived.) The gateway has two routes to it, no middleware. curl
# (pinned to CLIENT_CPUS) downloads and uploads (PUT, no Expect: 100-continue) direct and through
# the gateway, alternating, RUNS times each, after one warm-up transfer each way through the
# gateway. jstat samples the gateway's heap every 250 ms while it transfers.
#
# Reports MiB/s (medians), gateway/direct ratios (issue 7's target: >= 0.7), the gateway's and the
# nginx worker's CPU time per GiB moved (robust to foreign load, unlike MiB/s), and its heap: largest used heap (young + old) and old generation seen in any
# sample, and the old generation before and after the transfers.
#
# Environment (defaults in brackets):
#   RUNS [3]  SIZE [1G] (anything truncate -s takes)
#   STREAM_JAVA_FLAGS [-Xmx128m -XX:+UseParallelGC]   the gateway's JVM flags
#   BENCH_JAVA_HOME [Temurin 25 when installed]
#   SERVER_CPUS [0]  CLIENT_CPUS [1]   taskset -c lists
#   RESULTS_DIR [bench/results]  KEEP_LOGS []
set -euo pipefail

RUNS=${RUNS:-3}
SIZE=${SIZE:-1G}
SERVER_CPUS=${SERVER_CPUS-0}
CLIENT_CPUS=${CLIENT_CPUS-1}
RESULTS_DIR=${RESULTS_DIR:-bench/results}

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
GATEWAY="http://127.0.0.1:$GATEWAY_PORT"

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
  t0=$(cpu_ticks "$GATEWAY_PID") n0=$(cpu_ticks $workers)
  result=$(transfer "$kind" "$url")
  # shellcheck disable=SC2086
  t1=$(cpu_ticks "$GATEWAY_PID") n1=$(cpu_ticks $workers)
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
    cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" -v n="$BYTES" \
      'BEGIN {printf "%.2f", (b - a) / hz / (n / 1073741824)}')
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$kind" "$target" "$rate" "$heap" "$old" "$cpu" "$ygc" "$ncpu" | tee -a "$WORK/rows.tsv" >&2
}

echo "streaming: $RUNS run(s), $BYTES bytes each way; gateway: $BENCH_JAVA $BENCH_JAVA_FLAGS;" \
  "servers on cpu ${SERVER_CPUS:-any}, curl on cpu ${CLIENT_CPUS:-any}" >&2
old_start=$(old_used_kb)
echo "warm-up: one download and one upload through the gateway ..." >&2
for kind in download upload; do
  url="$GATEWAY/big.bin"
  [[ $kind == upload ]] && url="$GATEWAY/upload/warm-up"
  [[ $(transfer "$kind" "$url") == *" 20"[014] ]] || bench_fail "warm-up $kind through the gateway failed" "$WORK/gateway.log"
done
rm -f "$UPLOADS"/*
printf 'run\tkind\ttarget\tMiB/s\tmax heap used MB\tmax old MB\tgateway CPU s/GiB\tyoung GCs\tnginx CPU s/GiB\n' >&2
for run in $(seq "$RUNS"); do
  one download direct "$UPSTREAM/big.bin" "$run"
  one download gateway "$GATEWAY/big.bin" "$run"
  one upload direct "$UPSTREAM/upload/direct-$run" "$run"
  one upload gateway "$GATEWAY/upload/gateway-$run" "$run"
done
old_end=$(old_used_kb)

{
  echo "## bench/streaming.sh, $(date -u '+%F %H:%M') UTC"
  echo
  echo "RUNS=$RUNS, $BYTES bytes each way, curl on cpu ${CLIENT_CPUS:-any}, nginx and the gateway on" \
    "cpu ${SERVER_CPUS:-any}; gateway: $("$BENCH_JAVA" -version 2>&1 | head -n1), \`$BENCH_JAVA_FLAGS\`."
  echo
  awk -F'\t' '
    function median(list,   a, n, i, j, t) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    {
      k = $2 SUBSEP $3; rate[k] = rate[k] " " $4; all[k] = all[k] " " $4; ncpu[k] = ncpu[k] " " $9
      if ($3 == "gateway") { if ($5 > heap[$2]) heap[$2] = $5; if ($6 > old[$2]) old[$2] = $6; cpu[$2] = cpu[$2] " " $7; ygc[$2] = ygc[$2] " " $8 }
    }
    END {
      print "| transfer | direct MiB/s | gateway MiB/s | gateway ÷ direct (target >= 0.7) | gateway CPU s/GiB | nginx CPU s/GiB direct / via gateway | max heap used MB | max old gen MB | young GCs per transfer | runs (gateway MiB/s) |"
      print "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
      split("download upload", K, " ")
      for (i = 1; i <= 2; i++) {
        d = median(rate[K[i] SUBSEP "direct"]); g = median(rate[K[i] SUBSEP "gateway"])
        printf "| %s | %.0f | %.0f | %.2f %s | %.2f | %.2f / %.2f | %.1f | %.1f | %s | %s |\n", K[i], d, g, g / d, (g / d >= 0.7) ? "met" : "NOT met",
          median(cpu[K[i]]), median(ncpu[K[i] SUBSEP "direct"]), median(ncpu[K[i] SUBSEP "gateway"]), heap[K[i]], old[K[i]], ygc[K[i]], all[K[i] SUBSEP "gateway"]
      }
    }' "$WORK/rows.tsv"
  echo
  echo "Heap: jstat -gc every 250 ms during each gateway transfer; used = S0U+S1U+EU+OU. Old generation" \
    "before the first transfer: $(awk -v k="$old_start" 'BEGIN {printf "%.1f", k / 1024}') MB, after the last:" \
    "$(awk -v k="$old_end" 'BEGIN {printf "%.1f", k / 1024}') MB. Total time: $((SECONDS - started)) s."
} | tee "$REPORT"
