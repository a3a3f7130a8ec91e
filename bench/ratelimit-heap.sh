#!/usr/bin/env bash
# Heap held by the local rate limiter while 1,000,000 distinct client keys arrive, bounded
# (Caffeine, max_keys) versus an unbounded map of the same buckets (the Go original's shape).
# Usage: bench/ratelimit-heap.sh [runs=3] [max_keys=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
max_keys=${2:-100000}
mvn -B -q test-compile -DskipTests
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
for mode in bounded unbounded; do
  for run in $(seq 1 "$runs"); do
    echo "== $mode run $run"
    # serial GC: the used-heap figure after System.gc() is the live set, not a collector's slack
    java -Xms1g -Xmx1g -XX:+UseSerialGC -cp "$cp" dev.gatewaywar.ratelimit.RateLimitHeapBench \
      "$mode" 1000000 "$max_keys"
  done
done
