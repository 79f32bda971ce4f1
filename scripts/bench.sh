#!/usr/bin/env bash
# The benchmark of docs/benchmark.md: full run (about 4-5 minutes) on an embedded PostgreSQL.
# Extra benchmark options go through BENCH_ARGS, e.g. BENCH_ARGS="--mode=short" scripts/bench.sh
# Results: target/bench/{results.json,timeline.csv,chart.svg}. Exit status 1 when an entry was lost or duplicated.
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B -ntp -Pbench test -Dbench.args="${BENCH_ARGS:---mode=full}" "$@"
