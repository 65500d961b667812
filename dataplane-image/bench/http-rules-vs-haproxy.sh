#!/usr/bin/env bash
# The amphora and HAProxy (Octavia's data plane) answer the same raw requests, each in front of a
# member that records what reaches it; prints the Markdown table of docs/http-request-rules.md
# (HttpRulesComparison). Installs haproxy from the OS packages when it is missing. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
if ! command -v haproxy >/dev/null; then
  echo "installing haproxy" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
fi
echo "HAProxy: $(haproxy -v | head -1)" >&2
./mvnw -q -B -pl dataplane-image/amphora -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >&2
cd dataplane-image/amphora
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.lbaas.amphora.proxy.HttpRulesComparison "$(command -v haproxy)"
