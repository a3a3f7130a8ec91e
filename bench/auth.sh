#!/usr/bin/env bash
# Cost of the auth middleware: requests/s of a route with `auth` against the same route without it,
# for HS256 (secret) and RS256 (key from a JWKS, cached after the first request), with wrk.
#
#   bench/auth.sh                    # from the repository root, after `mvn -DskipTests package`
#   RUNS=5 DURATION=15s bench/auth.sh
#
# Starts nginx on loopback as the upstream (a 200 with a small JSON body) and as the JWKS server,
# makes an RSA key with openssl (JWKS and RS256 token signed by hand with openssl dgst), then for each
# of the two configs starts `java -jar target/gateway.war` with two routes to nginx, /plain (no
# middleware) and /auth (middleware: [auth]), warms it up, and alternates wrk runs on /plain and
# /auth RUNS times. Prints each run and the medians, and the ratio auth/plain of the medians.
#
# Environment (defaults in brackets): RUNS [3], DURATION [10s], WARMUP [30s], CONNECTIONS [32],
# THREADS [2], JAVA_OPTS [], KEEP_LOGS [] (1 keeps the temp dir).
set -euo pipefail

RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-30s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
JAVA_OPTS=${JAVA_OPTS:-}
KEEP_LOGS=${KEEP_LOGS:-}

cd "$(dirname "$0")/.."
source bench/lib.sh
WAR=target/gateway.war
[[ -f $WAR ]] || { echo "bench/auth.sh: build first: mvn -DskipTests package" >&2; exit 1; }
for tool in nginx wrk java curl ss openssl xxd base64; do
  command -v "$tool" >/dev/null || { echo "bench/auth.sh: '$tool' not found" >&2; exit 1; }
done

WORK=$(mktemp -d -t gateway-auth-bench.XXXXXX)
NGINX_PID=
GATEWAY_PID=

stop() {
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$GATEWAY_PID"
  stop "$NGINX_PID"
  wait 2>/dev/null || true
  if [[ $KEEP_LOGS == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
hex_b64url() { xxd -r -p | b64url; }

# --- an RSA key, its JWKS, and an RS256 token signed with it ---------------------------------------
openssl genrsa -out "$WORK/key.pem" 2048 2>/dev/null
MODULUS=$(openssl rsa -in "$WORK/key.pem" -noout -modulus | cut -d= -f2 | hex_b64url)
printf '{"keys":[{"kty":"RSA","kid":"bench","use":"sig","alg":"RS256","n":"%s","e":"AQAB"}]}' \
  "$MODULUS" >"$WORK/jwks.json"
NOW=$(date +%s)
HEADER=$(printf '{"alg":"RS256","typ":"JWT","kid":"bench"}' | b64url)
PAYLOAD=$(printf '{"sub":"bench","iat":%d,"exp":%d}' "$NOW" $((NOW + 7200)) | b64url)
SIGNATURE=$(printf '%s.%s' "$HEADER" "$PAYLOAD" | openssl dgst -sha256 -sign "$WORK/key.pem" | b64url)
RS_TOKEN="$HEADER.$PAYLOAD.$SIGNATURE"

# --- nginx: the upstream and the JWKS ---------------------------------------------------------------
NGINX_PORT=$(free_port)
# inline: nginx's workers may not read files in a private temp dir
write_nginx_conf "$WORK/nginx" "$NGINX_PORT" \
  "    location = /jwks.json { default_type application/json; return 200 '$(cat "$WORK/jwks.json")'; }"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" \
  >"$WORK/nginx/logs/stdout.log" 2>&1 &
NGINX_PID=$!
for _ in $(seq 50); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/jwks.json") == 200 ]] && break
  sleep 0.2
done

start_gateway() { # start_gateway CONFIG_FILE; sets GATEWAY_PID and GATEWAY_PORT
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$WAR" --config "$1" >"$1.log" 2>&1 &
  GATEWAY_PID=$!
  GATEWAY_PORT=
  for _ in $(seq 600); do
    GATEWAY_PORT=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$1.log" | head -n1)
    [[ -n $GATEWAY_PORT ]] && return 0
    kill -0 "$GATEWAY_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench/auth.sh: the gateway did not start:" >&2
  cat "$1.log" >&2
  exit 1
}

non2xx() { awk '/Non-2xx/ {n += $NF} END {print n + 0}' "$1"; }
median() { sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

measure() { # measure NAME CONFIG TOKEN
  local name=$1 config=$2 token=$3
  start_gateway "$config"
  local base="http://127.0.0.1:$GATEWAY_PORT"
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/auth")
  [[ $code == 200 ]] || { echo "bench/auth.sh: $name: /auth answered $code" >&2; cat "$config.log" >&2; exit 1; }
  code=$(curl -s -o /dev/null -w '%{http_code}' "$base/auth")
  [[ $code == 401 ]] || { echo "bench/auth.sh: $name: /auth without a token answered $code" >&2; exit 1; }
  echo "$name: warming up for $WARMUP ..." >&2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Authorization: Bearer $token" "$base/auth" >/dev/null
  : >"$WORK/$name.plain" && : >"$WORK/$name.auth"
  for i in $(seq "$RUNS"); do
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$base/plain" >"$WORK/run.txt"
    [[ $(non2xx "$WORK/run.txt") == 0 ]] || { echo "non-2xx on /plain" >&2; exit 1; }
    rps "$WORK/run.txt" >>"$WORK/$name.plain"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: Bearer $token" "$base/auth" >"$WORK/run.txt"
    [[ $(non2xx "$WORK/run.txt") == 0 ]] || { echo "non-2xx on /auth" >&2; exit 1; }
    rps "$WORK/run.txt" >>"$WORK/$name.auth"
    echo "$name run $i: plain $(tail -n1 "$WORK/$name.plain") req/s, auth $(tail -n1 "$WORK/$name.auth") req/s" >&2
  done
  stop "$GATEWAY_PID"
  GATEWAY_PID=
  local p a
  p=$(median <"$WORK/$name.plain")
  a=$(median <"$WORK/$name.auth")
  printf '%-8s %14.0f %14.0f %8.2f\n' "$name" "$p" "$a" "$(awk -v a="$a" -v p="$p" 'BEGIN {print a / p}')" \
    >>"$WORK/summary.txt"
}

routes="routes:
  - path: /plain
    target: http://127.0.0.1:$NGINX_PORT
  - path: /auth
    target: http://127.0.0.1:$NGINX_PORT
    middleware: [auth]"

cat >"$WORK/hs256.yaml" <<CONF
server:
  port: 0
$routes
auth:
  enabled: true
  type: jwt
  secret: "bench-secret-0123456789-0123456789-0123456789"
CONF
HS_TOKEN=$(java -jar "$WAR" token --config "$WORK/hs256.yaml" --sub bench --ttl 2h)

cat >"$WORK/rs256.yaml" <<CONF
server:
  port: 0
$routes
auth:
  enabled: true
  type: jwt
  algorithms: [RS256]
  jwks_url: http://127.0.0.1:$NGINX_PORT/jwks.json
CONF

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $RUNS runs each, after $WARMUP warm-up" >&2
measure HS256 "$WORK/hs256.yaml" "$HS_TOKEN"
measure RS256 "$WORK/rs256.yaml" "$RS_TOKEN"
echo
printf '%-8s %14s %14s %8s\n' "" "plain req/s" "auth req/s" "ratio"
cat "$WORK/summary.txt"
echo "(medians of $RUNS runs; ratio = auth / plain)"
