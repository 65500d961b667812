#!/usr/bin/env bash
# Prints the path of a Node.js runtime (18 or newer) for the tests that check the amphora's HTTP
# against Node's own parser (llhttp), installing Debian's nodejs package when none is found.
set -euo pipefail

usable() { # a node binary, 18 or newer
  local major
  major="$("$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" || return 1
  [[ "$major" -ge 18 ]]
}

for candidate in "${LBAAS_NODE:-}" "$(command -v node || true)" "$(command -v nodejs || true)"; do
  if [[ -n "$candidate" ]] && usable "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done

as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
echo "installing nodejs from the OS packages" >&2
as_root apt-get update -qq >&2
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >&2
for candidate in "$(command -v node || true)" "$(command -v nodejs || true)"; do
  if [[ -n "$candidate" ]] && usable "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done
echo "no Node.js 18 or newer, and none could be installed (set LBAAS_NODE to one)" >&2
exit 1
