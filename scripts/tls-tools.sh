#!/usr/bin/env bash
# The TLS clients and servers the integration tests talk to TERMINATED_HTTPS listeners and TLS
# members with (openssl s_client, s_server and x509; curl), from the OS packages when missing.
set -euo pipefail
missing=()
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
((${#missing[@]})) || exit 0
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
echo "installing ${missing[*]} from the OS packages" >&2
as_root apt-get update -qq >/dev/null
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
