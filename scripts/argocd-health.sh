#!/usr/bin/env bash
# The Argo CD health checks of the lbaas.dev kinds (helm/argocd/resource_customizations):
#
#   argocd-health.sh test        runs every health_test.yaml the way Argo CD runs a check from
#                                argocd-cm (gopher-lua, base/table/package libraries, global obj)
#   argocd-health.sh configmap   prints the argocd-cm data that installs them, to merge with
#                                kubectl -n argocd patch configmap argocd-cm --patch-file <file>
#
# The runner is built from helm/argocd/health-check-runner with the Go module proxy, once.
set -euo pipefail
PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECKS="$PROJECT/helm/argocd/resource_customizations"
RUNNER_SOURCE="$PROJECT/helm/argocd/health-check-runner"

case "${1:-test}" in
  test)
    command -v go >/dev/null || { echo "go is required to build the health-check runner" >&2; exit 1; }
    key="$(cat "$RUNNER_SOURCE"/*.go "$RUNNER_SOURCE"/go.mod "$RUNNER_SOURCE"/go.sum | sha256sum | cut -c1-12)"
    runner="${LBAAS_TOOLS_DIR:-$HOME/.cache/lbaas-tools}/health-check-runner-$key"
    if [[ ! -x "$runner" ]]; then
      mkdir -p "$(dirname "$runner")"
      (cd "$RUNNER_SOURCE" && CGO_ENABLED=0 go build -o "$runner" .) >&2
    fi
    "$runner" "$CHECKS"
    ;;
  configmap)
    echo "data:"
    for check in "$CHECKS"/lbaas.dev/*/health.lua; do
      kind="$(basename "$(dirname "$check")")"
      echo "  resource.customizations.health.lbaas.dev_$kind: |"
      sed 's/^/    /' "$check"
    done
    ;;
  *) echo "usage: $0 test|configmap" >&2; exit 2 ;;
esac
