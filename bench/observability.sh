#!/usr/bin/env bash
# Cost of the observability middleware: bench/run.sh on the same route with no middleware and with
# [logging, metrics, tracing], alternating, RUNS times each, then the median of each.
#
#   bench/observability.sh                 # from the repository root, after mvn -DskipTests package
#   RUNS=5 WARMUP=45s DURATION=15s bench/observability.sh
#
# Environment: RUNS [3], WITH ["logging, metrics, tracing"], and whatever bench/run.sh takes.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
WITH=${WITH:-logging, metrics, tracing}
TSV=$(mktemp -t gateway-obs-bench.XXXXXX)
trap 'rm -f "$TSV"' EXIT

for i in $(seq "$RUNS"); do
  for mw in "" "$WITH"; do
    echo "=== run $i/$RUNS, middleware [$mw]"
    MIDDLEWARE="$mw" RESULTS_TSV="$TSV" bench/run.sh | tail -n 7
  done
done

echo
echo "medians of $RUNS runs (requests/s, p50 ms, p99 ms through the gateway; nginx direct alongside)"
for mw in "" "$WITH"; do
  awk -F'\t' -v key="[$mw]" '$10 == key' "$TSV" |
    sort -t$'\t' -k3,3n | awk -F'\t' -v key="[$mw]" '
      { rps[NR] = $3; line[NR] = $0 }
      END {
        m = int((NR + 1) / 2)
        split(line[m], f, "\t")
        printf "%-28s %10s req/s (runs: ", key, rps[m]
        for (i = 1; i <= NR; i++) printf "%s%s", rps[i], (i < NR ? ", " : ")\n")
      }'
  for col in 4 5 6; do
    awk -F'\t' -v key="[$mw]" -v c="$col" '$10 == key {print $c}' "$TSV" | sort -n |
      awk -v c="$col" '{v[NR] = $1} END {
        name = (c == 4 ? "p50 ms" : c == 5 ? "p99 ms" : "direct req/s")
        printf "    median %-12s %s\n", name, v[int((NR + 1) / 2)] }'
  done
done
