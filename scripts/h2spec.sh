#!/usr/bin/env bash
# Prints the path of h2spec, the HTTP/2 conformance suite the amphora's HTTP/2 listeners are tested
# with, building it once per machine with Go from the module proxy, at the versions scripts/h2spec/go.mod pins.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/h2spec" && pwd)"
SUM="$(cat "$HERE/go.mod" "$HERE/go.sum" | sha256sum | cut -c1-12)"
TARGET="${LBAAS_TOOLS_DIR:-$HOME/.cache/lbaas-operator}/h2spec-$SUM/h2spec"
if [[ ! -x "$TARGET" ]]; then
  command -v go >/dev/null || { echo "go is required to build h2spec" >&2; exit 1; }
  echo "building h2spec" >&2
  mkdir -p "$(dirname "$TARGET")"
  (cd "$HERE" && go build -mod=readonly -o "$TARGET" github.com/summerwind/h2spec/cmd/h2spec) >&2
fi
echo "$TARGET"
