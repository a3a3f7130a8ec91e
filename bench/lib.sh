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

# write_nginx_conf DIR PORT [EXTRA_LOCATIONS]: a foreground nginx with its prefix, config and logs
# in DIR, listening on 127.0.0.1:PORT, answering every path with the same 64-byte JSON body from
# memory, plus whatever location blocks EXTRA_LOCATIONS holds.
write_nginx_conf() {
  local dir=$1 port=$2 extra=${3:-}
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
