#!/usr/bin/env bash
# The gateway side by side with nginx, HAProxy and Jetty 12's proxy servlets, in one run.
#
#   mvn -B -DskipTests package && bench/compare.sh          # from the repository root
#   RUNS=3 bench/compare.sh                                  # medians of 3 runs
#
# Starts an nginx upstream (64-byte JSON from memory, keep-alive) and then, back to back, measures
# with wrk (pinned to WRK_CPUS) at each concurrency in CONCURRENCY, every server pinned to
# SERVER_CPUS (the upstream nginx too):
#
#   direct          wrk -> nginx
#   haproxy         wrk -> HAProxy (Debian package, installed when missing; 1 thread) -> nginx
#   jetty-proxy     wrk -> Jetty 12.1.14 ProxyServlet.Transparent -> nginx     (bench/jetty-proxy)
#   jetty-middleman wrk -> Jetty 12.1.14 AsyncMiddleManServlet.Transparent -> nginx
#   gateway         wrk -> java -jar target/gateway.war, one route, no middleware -> nginx
#   gateway-chain   the same route with [auth, ratelimit, logging, metrics]: HS256 token sent by
#                   wrk, a limit far above any rate, the JSON access log appended to a file
#
# The Java peers run on one JDK ($BENCH_JAVA_HOME, default Temurin 25 when installed) with the
# same flags ($BENCH_JAVA_FLAGS, default -Xms512m -Xmx512m -XX:+UseParallelGC), each in a fresh
# JVM warmed up for WARMUP before its first measurement (see bench/README.md for how long the JIT
# takes to settle here). For every row: requests/s, p50, p99, wrk's errors (non-2xx and socket
# errors; a row with any is flagged), ratios to direct and to HAProxy of the same run, and the CPU
# time per completed request of the server process (utime + stime from /proc/PID/stat over the
# measured run: the nginx worker for direct, haproxy, the JVM) and of the upstream nginx worker.
# CPU per request is the robust figure on a shared machine: requests/s drift with foreign load.
#
# Prints a markdown table (medians over RUNS) and writes it, with every run's raw rows, to
# RESULTS_DIR. About 8 minutes per run with the defaults.
#
# Environment (defaults in brackets):
#   RUNS [1]                  repeat the whole sequence, report medians
#   TARGETS [direct haproxy jetty-proxy jetty-middleman gateway gateway-chain]
#   CONCURRENCY [32 128]      wrk connections      THREADS [1]   wrk threads
#   DURATION [15s]            each measured run
#   WARMUP [60s]              Java peers, before their first concurrency
#   WARMUP_NEXT [10s]         Java peers, before each further concurrency
#   WARMUP_NATIVE [3s]        nginx and HAProxy, before each concurrency
#   SERVER_CPUS [0]  WRK_CPUS [1]          taskset -c lists
#   BENCH_JAVA_HOME, BENCH_JAVA_FLAGS      JDK and flags of every Java peer
#   GATEWAY_JAVA_OPTS []      extra flags for the gateway only (not for a fair comparison)
#   RESULTS_DIR [bench/results]            KEEP_LOGS [] 1 keeps the temp dir
#   WARMUP_PROBE []           seconds: instead of the table, load each Java peer in TARGETS from a
#                             fresh start with consecutive 5 s wrk runs (first concurrency) for
#                             that long and print req/s and CPU µs/req of each: how long the JIT
#                             takes to settle
set -euo pipefail

RUNS=${RUNS:-1}
TARGETS=${TARGETS:-direct haproxy jetty-proxy jetty-middleman gateway gateway-chain}
CONCURRENCY=${CONCURRENCY:-32 128}
THREADS=${THREADS:-1}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-60s}
WARMUP_NEXT=${WARMUP_NEXT:-10s}
WARMUP_NATIVE=${WARMUP_NATIVE:-3s}
SERVER_CPUS=${SERVER_CPUS-0}
WRK_CPUS=${WRK_CPUS-1}
RESULTS_DIR=${RESULTS_DIR:-bench/results}

cd "$(dirname "$0")/.."
source bench/lib.sh
bench_need nginx wrk curl ss taskset awk "$BENCH_JAVA"
bench_need_haproxy
bench_init compare
[[ -f target/gateway.war ]] ||
  bench_fail "target/gateway.war is missing; build it first: mvn -B -DskipTests package"
build_jetty_proxy
mkdir -p "$RESULTS_DIR"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW="$RESULTS_DIR/compare-$STAMP.tsv"
REPORT="$RESULTS_DIR/compare-$STAMP.md"
started=$SECONDS

start_nginx_upstream "$SERVER_CPUS"
UPSTREAM="http://127.0.0.1:$NGINX_PORT"
start_haproxy "$SERVER_CPUS" "$NGINX_PORT"

# --- gateway configs: (a) no middleware, (b) auth + ratelimit + logging + metrics --------------
cat >"$WORK/gateway.yaml" <<EOF
routes:
  - path: /json
    target: $UPSTREAM
    middleware: []
EOF
{
  chain_config_blocks
  cat <<EOF
routes:
  - path: /json
    target: $UPSTREAM
    middleware: [auth, ratelimit, logging, metrics]
EOF
} >"$WORK/gateway-chain.yaml"
TOKEN=$(chain_token "$WORK/gateway-chain.yaml")
ACCESS_LOG="$WORK/gateway-chain.access.log"

run_wrk() { # run_wrk CONNECTIONS DURATION URL OUTFILE [HEADER]: in the background, so TERM acts at once
  local c=$1 d=$2 url=$3 out=$4 header=${5:-}
  if [[ -n $header ]]; then
    pinned "$WRK_CPUS" wrk -t"$THREADS" -c"$c" -d"$d" --latency -H "$header" "$url" >"$out" 2>&1 &
  else
    pinned "$WRK_CPUS" wrk -t"$THREADS" -c"$c" -d"$d" --latency "$url" >"$out" 2>&1 &
  fi
  local pid=$!
  BENCH_PIDS+=("$pid")
  wait "$pid" || bench_fail "wrk failed" "$out"
}

# measure RUN TARGET URL SERVER_PIDS [HEADER]: warm-up and a measured run at every concurrency
measure() {
  local run=$1 target=$2 url=$3 pids=$4 header=${5:-} java=0 first=1 c warm out
  [[ $target == jetty-* || $target == gateway* ]] && java=1
  for c in $CONCURRENCY; do
    if ((java)); then
      if ((first)); then warm=$WARMUP; else warm=$WARMUP_NEXT; fi
    else
      warm=$WARMUP_NATIVE
    fi
    first=0
    echo "  $target c=$c: warm-up $warm, measuring $DURATION ..." >&2
    run_wrk "$c" "$warm" "$url" "$WORK/warmup-$target-$c.txt" "$header"
    [[ $target == gateway-chain ]] && : >"$ACCESS_LOG"
    local workers s0 u0 s1 u1
    workers=$(nginx_worker_pids | tr '\n' ' ')
    # shellcheck disable=SC2086 # lists of pids
    s0=$(cpu_ticks $pids) u0=$(cpu_ticks $workers)
    out="$WORK/run$run-$target-$c.txt"
    run_wrk "$c" "$DURATION" "$url" "$out" "$header"
    # shellcheck disable=SC2086
    s1=$(cpu_ticks $pids) u1=$(cpu_ticks $workers)
    local n errors logged=-
    n=$(wrk_total "$out")
    errors=$(wrk_errors "$out")
    if [[ $target == gateway-chain ]]; then
      logged=$(wc -l <"$ACCESS_LOG")
      : >"$ACCESS_LOG"
    fi
    local upstream_cpu=-
    [[ $target != direct ]] && upstream_cpu=$(cpu_us_per_request "$u0" "$u1" "$n")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$target" "$c" "$(rps "$out")" \
      "$(wrk_pct "$out" 50)" "$(wrk_pct "$out" 99)" "$n" "$errors" \
      "$(cpu_us_per_request "$s0" "$s1" "$n")" "$upstream_cpu" "$logged" | tee -a "$RAW" >&2
  done
}

# probe TARGET URL PID [HEADER]: 5 s windows from a cold start, req/s and CPU per request
probe() {
  local target=$1 url=$2 pid=$3 header=${4:-} c=${CONCURRENCY%% *} t=0 s0 s1 out
  echo "warm-up probe of $target at c=$c (5 s windows; elapsed s, req/s, CPU µs/req, errors):"
  while ((t < WARMUP_PROBE)); do
    out="$WORK/probe-$target-$t.txt"
    s0=$(cpu_ticks "$pid")
    run_wrk "$c" 5s "$url" "$out" "$header"
    s1=$(cpu_ticks "$pid")
    t=$((t + 5))
    printf '%s\t%s\t%s\t%s\t%s\n' "$target" "$t" "$(rps "$out")" \
      "$(cpu_us_per_request "$s0" "$s1" "$(wrk_total "$out")")" "$(wrk_errors "$out")"
  done
}

if [[ -n ${WARMUP_PROBE:-} ]]; then
  # the loop stays in this shell (tee through a process substitution, not a pipeline), so the
  # peers it starts are in BENCH_PIDS and stopped on exit
  exec > >(tee "$RESULTS_DIR/warmup-probe-$STAMP.tsv")
  for target in $TARGETS; do
    case $target in
      jetty-proxy | jetty-middleman)
        start_jetty_proxy "$SERVER_CPUS" "${target#jetty-}" "$UPSTREAM"
        probe "$target" "http://127.0.0.1:$JETTY_PORT/json" "$JETTY_PID"
        bench_stop "$JETTY_PID" ;;
      gateway)
        start_gateway "$SERVER_CPUS" "$WORK/gateway.yaml" gateway
        probe gateway "http://127.0.0.1:$GATEWAY_PORT/json" "$GATEWAY_PID"
        bench_stop "$GATEWAY_PID" ;;
      gateway-chain)
        start_gateway "$SERVER_CPUS" "$WORK/gateway-chain.yaml" gateway-chain /dev/null
        probe gateway-chain "http://127.0.0.1:$GATEWAY_PORT/json" "$GATEWAY_PID" "Authorization: Bearer $TOKEN"
        bench_stop "$GATEWAY_PID" ;;
    esac
  done
  exit 0
fi

printf 'run\ttarget\tc\trps\tp50_ms\tp99_ms\trequests\terrors\tcpu_us_per_req\tupstream_cpu_us_per_req\taccess_log_lines\n' >"$RAW"
echo "compare: $RUNS run(s) of [$TARGETS] at c=[$CONCURRENCY], wrk -t$THREADS -d$DURATION on cpu" \
  "${WRK_CPUS:-any}, servers on cpu ${SERVER_CPUS:-any}; java: $BENCH_JAVA $BENCH_JAVA_FLAGS" >&2
for run in $(seq "$RUNS"); do
  echo "run $run of $RUNS" >&2
  for target in $TARGETS; do
    case $target in
      direct)
        measure "$run" direct "$UPSTREAM/json" "$(nginx_worker_pids | tr '\n' ' ')" ;;
      haproxy)
        measure "$run" haproxy "http://127.0.0.1:$HAPROXY_PORT/json" "$HAPROXY_PID" ;;
      jetty-proxy | jetty-middleman)
        start_jetty_proxy "$SERVER_CPUS" "${target#jetty-}" "$UPSTREAM"
        [[ "$(curl -s "http://127.0.0.1:$JETTY_PORT/json")" == "$(curl -s "$UPSTREAM/json")" ]] ||
          bench_fail "$target: body differs from the upstream's"
        measure "$run" "$target" "http://127.0.0.1:$JETTY_PORT/json" "$JETTY_PID"
        bench_stop "$JETTY_PID" ;;
      gateway)
        start_gateway "$SERVER_CPUS" "$WORK/gateway.yaml" gateway
        [[ "$(curl -s "http://127.0.0.1:$GATEWAY_PORT/json")" == "$(curl -s "$UPSTREAM/json")" ]] ||
          bench_fail "gateway: body differs from the upstream's" "$WORK/gateway.log"
        measure "$run" gateway "http://127.0.0.1:$GATEWAY_PORT/json" "$GATEWAY_PID"
        bench_stop "$GATEWAY_PID" ;;
      gateway-chain)
        start_gateway "$SERVER_CPUS" "$WORK/gateway-chain.yaml" gateway-chain "$ACCESS_LOG"
        url="http://127.0.0.1:$GATEWAY_PORT/json"
        code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
        [[ $code == 401 ]] || bench_fail "gateway-chain: no token answered $code, not 401"
        wait_for_200 "$url" 10 "$GATEWAY_PID" -H "Authorization: Bearer $TOKEN" ||
          bench_fail "gateway-chain: the token is not accepted" "$WORK/gateway-chain.log"
        measure "$run" gateway-chain "$url" "$GATEWAY_PID" "Authorization: Bearer $TOKEN"
        bench_stop "$GATEWAY_PID" ;;
      *) bench_fail "unknown target '$target'" ;;
    esac
  done
done

# --- report: medians over the runs; ratios of the medians -----------------------------------------
{
  echo "## bench/compare.sh, $(date -u '+%F %H:%M') UTC"
  echo
  echo "RUNS=$RUNS, wrk -t$THREADS -d$DURATION --latency on cpu ${WRK_CPUS:-any}; servers and the" \
    "upstream nginx on cpu ${SERVER_CPUS:-any}; Java peers: $("$BENCH_JAVA" -version 2>&1 | head -n1)," \
    "\`$BENCH_JAVA_FLAGS\`, warm-up $WARMUP (+$WARMUP_NEXT per further concurrency);" \
    "$(nproc) cpus, load average before the run ended: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  awk -F'\t' -v targets="$TARGETS" -v conc="$CONCURRENCY" '
    function median(list,   a, n, i, j, t) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
      if (n == 0) return ""
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0 || a == "-") ? "-" : sprintf("%.2f", a / b) }
    NR > 1 {
      k = $2 SUBSEP $3
      rps[k] = rps[k] " " $4; p50[k] = p50[k] " " $5; p99[k] = p99[k] " " $6
      if ($9 != "-") cpu[k] = cpu[k] " " $9
      if ($10 != "-") up[k] = up[k] " " $10
      err[k] += $8; runs[k]++
    }
    END {
      nt = split(targets, T, " "); nc = split(conc, C, " ")
      print "| target | c | req/s | p50 ms | p99 ms | req/s ÷ direct | req/s ÷ HAProxy | CPU µs/req | CPU ÷ best Jetty | upstream nginx CPU µs/req | errors (all runs) |"
      print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
      for (ci = 1; ci <= nc; ci++) {
        c = C[ci]
        for (ti = 1; ti <= nt; ti++) {
          k = T[ti] SUBSEP c
          R[k] = median(rps[k]); P5[k] = median(p50[k]); P9[k] = median(p99[k]); U[k] = median(cpu[k]); UP[k] = median(up[k])
        }
        bestcpu = ""; bestrps = ""
        for (ti = 1; ti <= nt; ti++) if (T[ti] ~ /^jetty-/) {
          k = T[ti] SUBSEP c
          if (bestcpu == "" || U[k] + 0 < bestcpu + 0) bestcpu = U[k]
          if (bestrps == "" || R[k] + 0 > bestrps + 0) bestrps = R[k]
        }
        BESTCPU[c] = bestcpu; BESTRPS[c] = bestrps
        for (ti = 1; ti <= nt; ti++) {
          k = T[ti] SUBSEP c
          flag = err[k] > 0 ? " **ERRORS**" : ""
          printf "| %s | %s | %.0f | %.3f | %.3f | %s | %s | %s | %s | %s | %d%s |\n", T[ti], c, R[k], P5[k], P9[k],
            ratio(R[k], R["direct" SUBSEP c]), ratio(R[k], R["haproxy" SUBSEP c]), U[k] == "" ? "-" : sprintf("%.1f", U[k]),
            ratio(U[k], bestcpu), UP[k] == "" ? "-" : sprintf("%.1f", UP[k]), err[k], flag
        }
      }
      print ""
      print "Targets (issue 7), per concurrency:"
      print ""
      for (ci = 1; ci <= nc; ci++) {
        c = C[ci]; g = "gateway" SUBSEP c; h = "gateway-chain" SUBSEP c
        if (U[g] != "" && BESTCPU[c] != "") {
          printf "- c=%s (a) gateway CPU/req = %.2f x best Jetty (target <= 0.67): %s; req/s = %.2f x best Jetty (target >= 1.5): %s\n", c,
            U[g] / BESTCPU[c], (U[g] / BESTCPU[c] <= 1 / 1.5) ? "met" : "NOT met", R[g] / BESTRPS[c], (R[g] / BESTRPS[c] >= 1.5) ? "met" : "NOT met"
        }
        if (U[g] != "" && U[h] != "")
          printf "- c=%s (b) chain CPU/req = %.2f x gateway (target <= 1.25): %s\n", c, U[h] / U[g], (U[h] / U[g] <= 1.25) ? "met" : "NOT met"
        if (U[g] != "" && U["haproxy" SUBSEP c] != "" && U["direct" SUBSEP c] != "")
          printf "- c=%s (c) gateway CPU/req = %.1f x HAProxy, %.1f x nginx (direct)\n", c, U[g] / U["haproxy" SUBSEP c], U[g] / U["direct" SUBSEP c]
      }
    }' "$RAW"
  echo
  echo "CPU µs/req: utime+stime of the server process over the measured run / completed requests" \
    "(direct: the nginx worker; haproxy: its one process; Jetty and gateway: the JVM, GC and JIT" \
    "included). Upstream nginx CPU is the upstream's worker over the same run. The gateway-chain" \
    "access log is appended to a file in the temp dir (one JSON line per request, truncated between runs)." \
    "Medians over $RUNS run(s); ratios are of the medians. Raw rows: $RAW."
  echo "Total time: $((SECONDS - started)) s."
} | tee "$REPORT"
