#!/usr/bin/env bash
# Prints the path of a helm binary, building it from the Go module proxy the first time (cached in
# ${LBAAS_TOOLS_DIR:-~/.cache/lbaas-tools}). Helm 4, the line its maintainers develop.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v4.3.2}"
TOOLS="${LBAAS_TOOLS_DIR:-$HOME/.cache/lbaas-tools}"
HELM="$TOOLS/helm-$HELM_VERSION/helm"

if [[ ! -x "$HELM" ]]; then
  command -v go >/dev/null || { echo "go is required to build helm" >&2; exit 1; }
  echo "building helm $HELM_VERSION from the Go module proxy (once)" >&2
  mkdir -p "$(dirname "$HELM")"
  GOBIN="$(dirname "$HELM")" CGO_ENABLED=0 go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2
fi
echo "$HELM"
