#!/usr/bin/env bash
# Failover of an ACTIVE_STANDBY load balancer, measured under a steady request stream on the local
# driver: the master SIGKILLed N times, SIGSTOPped and resumed once, and N planned failovers. Prints
# a row per run (longest gap, failed requests, whether persisted clients kept their members). About
# 2 minutes for the default 10 runs; kept out of the test command.
#
#   scripts/failover-benchmark.sh [--runs 10] [--rate 500]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B install -DskipTests
KUBE_VERSION="$(./mvnw -q -N help:evaluate -Dexpression=kube.version -DforceStdout)"
K8S_VERSION="$KUBE_VERSION" bash scripts/kube-binaries.sh
CLASSPATH_FILE="e2e/target/failover-benchmark.classpath"
./mvnw -q -B -f e2e/pom.xml dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$PWD/$CLASSPATH_FILE"
exec java -cp "e2e/target/classes:$(cat "$CLASSPATH_FILE")" \
  -Dlbaas.project.dir="$PWD" -Dlbaas.kube.version="$KUBE_VERSION" \
  dev.lbaas.e2e.FailoverBenchmark "$@"
