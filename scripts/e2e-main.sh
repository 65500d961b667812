#!/usr/bin/env bash
# Builds the project and runs a main class of the e2e module with the Kubernetes binaries it needs:
# the quickstart and the failover benchmark start the whole system this way.
#
#   scripts/e2e-main.sh dev.lbaas.e2e.Quickstart [arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
MAIN_CLASS="$1"
shift

echo "==> building (first run: downloads dependencies)"
./mvnw -q -B install -DskipTests

KUBE_VERSION="$(./mvnw -q -N help:evaluate -Dexpression=kube.version -DforceStdout)"
K8S_VERSION="$KUBE_VERSION" bash scripts/kube-binaries.sh

CLASSPATH_FILE="e2e/target/runtime.classpath"
./mvnw -q -B -f e2e/pom.xml dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$PWD/$CLASSPATH_FILE"

exec java -cp "e2e/target/classes:$(cat "$CLASSPATH_FILE")" \
  -Dlbaas.project.dir="$PWD" -Dlbaas.kube.version="$KUBE_VERSION" \
  "$MAIN_CLASS" "$@"
