# Shared by the bench scripts (sourced, not run): free ports, the nginx upstream's config, wrk output.

free_port() { # a port nothing listens on, away from the usual 8080-style ones
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 30000))
    if [[ -z $(ss -Htln "sport = :$p") ]]; then
      echo "$p"
      return 0
    fi
  done
  echo "bench: no free port found" >&2
  return 1
}

# write_nginx_conf DIR PORT [EXTRA_LOCATIONS] [EXTRA_HTTP]: a foreground nginx with its prefix,
# config and logs in DIR, listening on 127.0.0.1:PORT, answering every path with the same 64-byte
# JSON body from memory, plus whatever location blocks EXTRA_LOCATIONS holds (and http-level
# directives EXTRA_HTTP, e.g. a log_format).
write_nginx_conf() {
  local dir=$1 port=$2 extra=${3:-} http_extra=${4:-}
  mkdir -p "$dir/logs" "$dir/tmp"
  cat >"$dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  keepalive_timeout 120s;
  keepalive_requests 10000000;
$http_extra
  server {
    listen 127.0.0.1:$port;
$extra
    location / {
      default_type application/json;
      return 200 '{"id":42,"name":"benchmark","tags":["a","b","c"],"active":true}\n';
    }
  }
}
CONF
}

rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }

# ---------------------------------------------------------------------------------------------
# Building blocks of compare.sh and streaming.sh (and any other harness): one list of the
# processes a script started, stopped on exit; processes pinned with taskset; the nginx upstream,
# HAProxy, the Jetty proxies and the gateway started on free ports; CPU time read from /proc.
#
#   source bench/lib.sh
#   bench_init my-bench             # temp dir $WORK, traps: every started process stops on exit
#   start_nginx_upstream "$SERVER_CPUS"              # -> NGINX_PORT, NGINX_PID
#   start_gateway "$SERVER_CPUS" "$WORK/gw.yaml" gw  # -> GATEWAY_PORT, GATEWAY_PID
#   t0=$(cpu_ticks "$GATEWAY_PID"); ...; t1=$(cpu_ticks "$GATEWAY_PID")
#   cpu_us_per_request "$t0" "$t1" "$requests"
# ---------------------------------------------------------------------------------------------

BENCH_PIDS=()
BENCH_NAME=bench
# All Java peers run on one JDK with one set of flags. Temurin 25 when present (virtual threads,
# the current JIT), else the java on the PATH.
if [[ -z ${BENCH_JAVA_HOME:-} && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  BENCH_JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
BENCH_JAVA=${BENCH_JAVA_HOME:+$BENCH_JAVA_HOME/bin/}java
BENCH_JAVA_FLAGS=${BENCH_JAVA_FLAGS:--Xms512m -Xmx512m -XX:+UseParallelGC}

bench_need() { # bench_need TOOL...: fail clearly when one is missing
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then
      echo "$BENCH_NAME: '$tool' not found (Debian: apt-get install -y nginx wrk curl haproxy)" >&2
      exit 1
    fi
  done
}

bench_need_haproxy() { # installs the Debian package when missing (benchmarks only; CI runs none)
  command -v haproxy >/dev/null && return 0
  echo "$BENCH_NAME: haproxy missing, installing the Debian package ..." >&2
  if [[ $(id -u) != 0 ]] || ! { apt-get install -y haproxy >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && apt-get install -y haproxy >/dev/null 2>&1; }; }; then
    echo "$BENCH_NAME: could not install haproxy; as root: apt-get install -y haproxy" >&2
    exit 1
  fi
}

bench_init() { # bench_init NAME: $WORK temp dir, cleanup on exit, Ctrl-C and TERM
  BENCH_NAME=$1
  WORK=$(mktemp -d -t "gateway-$1.XXXXXX")
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_stop() { # bench_stop PID: TERM, then KILL after 5 s
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

bench_cleanup() { # stops every process bench_spawn started, newest first
  local pids=("${BENCH_PIDS[@]}") i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    bench_stop "${pids[i]}"
  done
  BENCH_PIDS=()
  if [[ ${KEEP_LOGS:-} == 1 ]]; then
    echo "logs and configs kept in $WORK" >&2
  elif [[ -n ${WORK:-} ]]; then
    rm -rf "$WORK"
  fi
}

pinned() { # pinned CPUS command...: exec, under taskset when CPUS is set, so that $! is its pid
  local cpus=$1
  shift
  if [[ -n $cpus ]]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

bench_spawn() { # bench_spawn CPUS LOGFILE command...: in the background -> BENCH_PID, stopped on exit
  local cpus=$1 log=$2
  shift 2
  pinned "$cpus" "$@" >>"$log" 2>&1 </dev/null &
  BENCH_PID=$!
  BENCH_PIDS+=("$BENCH_PID")
}

wait_for_200() { # wait_for_200 URL SECONDS PID [CURL_ARGS...]
  local url=$1 deadline=$((SECONDS + $2)) pid=$3
  shift 3
  while ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || return 1
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$@" "$url") == 200 ]] && return 0
    sleep 0.2
  done
  return 1
}

bench_fail() { # bench_fail MESSAGE [LOGFILE...]: print, show the logs, exit 1
  echo "$BENCH_NAME: $1" >&2
  shift
  local f
  for f in "$@"; do [[ -f $f ]] && tail -n 40 "$f" >&2; done
  exit 1
}

# start_nginx_upstream CPUS [EXTRA_LOCATIONS] [EXTRA_HTTP]: the nginx upstream of write_nginx_conf (64-byte JSON
# on every path) plus /nginx_status, in $WORK/nginx -> NGINX_PORT, NGINX_PID (the master; the one
# worker serving requests is nginx_worker_pids).
start_nginx_upstream() {
  local cpus=$1 extra=${2:-} http_extra=${3:-}
  NGINX_PORT=$(free_port)
  write_nginx_conf "$WORK/nginx" "$NGINX_PORT" "    location = /nginx_status { stub_status; }
$extra" "$http_extra"
  bench_spawn "$cpus" "$WORK/nginx/logs/stdout.log" \
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log"
  NGINX_PID=$BENCH_PID
  wait_for_200 "http://127.0.0.1:$NGINX_PORT/json" 10 "$NGINX_PID" ||
    bench_fail "nginx did not start" "$WORK/nginx/logs/error.log" "$WORK/nginx/logs/stdout.log"
}

child_pids() { # child_pids PID: its direct children (nginx's and haproxy's workers)
  cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -v '^$' || true
}

nginx_worker_pids() { child_pids "$NGINX_PID"; }

# start_haproxy CPUS UPSTREAM_PORT [NAME [OPTION...]]: HAProxy 2.x in http mode, one thread,
# keep-alive on both sides and upstream connections reused (http-reuse always), no logging, plus
# each OPTION as a line of its defaults; its files in $WORK/NAME (default haproxy) -> HAPROXY_PORT,
# HAPROXY_PID.
start_haproxy() {
  local cpus=$1 upstream=$2 name=${3:-haproxy} option extra=
  for option in "${@:4}"; do extra+="  $option"$'\n'; done
  HAPROXY_PORT=$(free_port)
  mkdir -p "$WORK/$name"
  cat >"$WORK/$name/haproxy.cfg" <<CFG
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
  http-reuse always
${extra}frontend bench
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend upstream
backend upstream
  server nginx 127.0.0.1:$upstream maxconn 1000
CFG
  haproxy -c -q -f "$WORK/$name/haproxy.cfg" ||
    bench_fail "haproxy rejects its config" "$WORK/$name/haproxy.cfg"
  # -db: foreground, no daemon; the process started is the one serving (no master-worker mode)
  bench_spawn "$cpus" "$WORK/$name/haproxy.log" haproxy -db -f "$WORK/$name/haproxy.cfg"
  HAPROXY_PID=$BENCH_PID
  wait_for_200 "http://127.0.0.1:$HAPROXY_PORT/json" 10 "$HAPROXY_PID" ||
    bench_fail "haproxy did not start" "$WORK/$name/haproxy.log"
}

# build_jetty_proxy: bench/jetty-proxy (its own small Maven project) -> JETTY_PROXY_CP
build_jetty_proxy() {
  local dir=bench/jetty-proxy
  if [[ ! -d $dir/target/lib || $dir/pom.xml -nt $dir/target/lib ||
    -n $(find "$dir/src" -newer "$dir/target/lib" -type f) ]]; then
    echo "building $dir ..." >&2
    mvn -q -B -f "$dir/pom.xml" package >"$WORK/jetty-proxy-build.log" 2>&1 ||
      bench_fail "building $dir failed" "$WORK/jetty-proxy-build.log"
    touch "$dir/target/lib"
  fi
  JETTY_PROXY_CP="$dir/target/classes:$dir/target/lib/*"
}

# start_jetty_proxy CPUS proxy|middleman UPSTREAM_URL: Jetty 12's ProxyServlet.Transparent or
# AsyncMiddleManServlet.Transparent, on $BENCH_JAVA with $BENCH_JAVA_FLAGS, on a port the kernel
# picks -> JETTY_PORT, JETTY_PID
start_jetty_proxy() {
  local cpus=$1 mode=$2 upstream=$3
  # port 0: the kernel picks a free one, no race with other processes; Jetty prints which (in a
  # fresh log, so an earlier start's port is not read instead)
  : >"$WORK/jetty-$mode.log"
  # shellcheck disable=SC2086 # the flags are a list
  bench_spawn "$cpus" "$WORK/jetty-$mode.log" "$BENCH_JAVA" $BENCH_JAVA_FLAGS \
    -cp "$JETTY_PROXY_CP" bench.JettyProxyMain "$mode" 0 "$upstream"
  JETTY_PID=$BENCH_PID
  JETTY_PORT=$(logged_port "$WORK/jetty-$mode.log" "$JETTY_PID" 60) ||
    bench_fail "jetty $mode did not start" "$WORK/jetty-$mode.log"
  wait_for_200 "http://127.0.0.1:$JETTY_PORT/json" 30 "$JETTY_PID" ||
    bench_fail "jetty $mode does not answer 200" "$WORK/jetty-$mode.log"
}

logged_port() { # logged_port LOG PID SECONDS: the N of "listening on port N" once PID logs it
  local log=$1 pid=$2 deadline=$((SECONDS + $3)) port
  while ((SECONDS < deadline)); do
    port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$log" 2>/dev/null | head -n1)
    [[ -n $port ]] && { echo "$port"; return 0; }
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

# chain_config_blocks: the top-level blocks the full chain [auth, ratelimit, logging, metrics]
# needs, for a config's head: HS256 auth with a fixed secret, a rate limit far above any load, the
# access log as JSON, Prometheus metrics. Routes follow.
chain_config_blocks() {
  cat <<YAML
auth:
  enabled: true
  type: jwt
  secret: "bench-secret-0123456789-0123456789-0123456789"
rate_limit:
  enabled: true
  requests_per_second: 1000000
  burst: 1000000000
metrics:
  prometheus:
    enabled: true
logging:
  format: json
YAML
}

# chain_token CONFIG: prints an HS256 token (24 h) that CONFIG's auth accepts
chain_token() {
  "$BENCH_JAVA" -jar target/gateway.war token --config "$1" --sub bench --ttl 24h ||
    bench_fail "java -jar target/gateway.war token failed"
}

# start_gateway CPUS CONFIG NAME [STDOUT_FILE]: java -jar target/gateway.war on $BENCH_JAVA with
# $BENCH_JAVA_FLAGS (+ $GATEWAY_JAVA_OPTS), on a port the kernel picks -> GATEWAY_PORT, GATEWAY_PID. Its stderr
# (Tomcat's log) goes to $WORK/NAME.log, its stdout (the access log) to STDOUT_FILE (default the same).
start_gateway() {
  local cpus=$1 config=$2 name=$3 out=${4:-$WORK/$3.log}
  [[ -f target/gateway.war ]] ||
    bench_fail "target/gateway.war is missing; build it first: mvn -B -DskipTests package"
  # --port 0: the kernel picks a free port, no race with other processes; the gateway logs which
  # (in a fresh log, so an earlier start's port is not read instead)
  : >"$WORK/$name.log"
  # shellcheck disable=SC2086 # the flags are lists
  pinned "$cpus" "$BENCH_JAVA" $BENCH_JAVA_FLAGS ${GATEWAY_JAVA_OPTS:-} -jar target/gateway.war \
    --config "$config" --port 0 >>"$out" 2>>"$WORK/$name.log" </dev/null &
  GATEWAY_PID=$!
  BENCH_PIDS+=("$GATEWAY_PID")
  GATEWAY_PORT=$(logged_port "$WORK/$name.log" "$GATEWAY_PID" 90) ||
    bench_fail "the gateway ($name) did not start" "$WORK/$name.log"
}

# CPU time (user + system, in clock ticks) the processes have used so far: fields 14 and 15 of
# /proc/PID/stat, counted after the ")" that ends the command name. A JVM's figure covers all its
# threads (GC and JIT included).
cpu_ticks() {
  local pid sum=0 stat
  for pid in "$@"; do
    stat=$(cat /proc/"$pid"/stat 2>/dev/null) || continue
    stat=${stat##*) }
    # after "pid (comm) ": state is field 3, so utime (14) and stime (15) are words 12 and 13
    sum=$((sum + $(awk '{print $12 + $13}' <<<"$stat")))
  done
  echo "$sum"
}

CLK_TCK=$(getconf CLK_TCK)

cpu_us_per_request() { # cpu_us_per_request TICKS_BEFORE TICKS_AFTER REQUESTS -> microseconds
  awk -v a="$1" -v b="$2" -v n="$3" -v hz="$CLK_TCK" \
    'BEGIN { if (n > 0) printf "%.1f", (b - a) * 1e6 / hz / n; else print "-" }'
}

# --- wrk output ---------------------------------------------------------------------------------
wrk_ms() { # wrk's "1.23ms", "456.00us", "1.02s" -> milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}
wrk_pct() { wrk_ms "$(awk -v p="$2%" '$1 == p {print $2}' "$1")"; }   # wrk_pct FILE 99
wrk_total() { awk '/requests in/ {print $1}' "$1"; }
wrk_errors() { # non-2xx responses and socket errors, as wrk reports them
  awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$1"
}
