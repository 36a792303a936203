#!/usr/bin/env bash
# Decoding policy requests, without sockets (docs/benchmarks.md, round 11): runs
# src/test/java/dev/sekisho/postfix/PolicyDecodeBenchmark (twelve rounds of two million Postfix 3.7 RCPT
# requests through one decoder) RUNS times in fresh JVMs and prints each run's lowest round.
#
# Settings (environment):
#   RUNS=3        fresh JVMs, one after another
#   SKIP_BUILD=1  use the classes already in target/ (after ./mvnw verify)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

RUNS=${RUNS:-3}
[[ ${SKIP_BUILD:-0} == 1 ]] || ./mvnw -q -B -DskipTests package
JAVA=$(find_java)
log "java: $JAVA; $RUNS runs at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
for run in $(seq "$RUNS"); do
    "$JAVA" -cp "target/test-classes:target/classes:target/lib/*" dev.sekisho.postfix.PolicyDecodeBenchmark | tail -1 | sed "s/^/run $run: /"
done
