#!/usr/bin/env bash
# Makes sure kube-apiserver, etcd, kubectl and kube-controller-manager are present where fabric8 kube-api-test looks for
# them: ${KUBE_API_TEST_DIR:-~/.kubeapitest}/k8s/<version>-linux-amd64/. With the argument "node", also kubelet,
# kube-scheduler and kube-proxy, for the real single-node cluster (scripts/single-node-cluster.sh).
#
# On a machine with internet kube-api-test downloads these itself. Machines that only reach the
# package registries cannot, so this script builds the same binaries from the Go module proxy:
# k8s.io/kubernetes cannot be `go install`ed (its go.mod points every k8s.io/* staging module at
# ./staging), so we build it through a throw-away wrapper module that replaces each staging
# module with its published v0.Y.Z twin. etcd comes from the same wrapper, at the version
# Kubernetes itself pins. kube-controller-manager is not used by kube-api-test, but the local control
# plane and the end-to-end tests start it for garbage collection (cascade delete through
# ownerReferences) and namespace deletion. The result is cached; the build runs only once per machine.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.34.4}"
BASE_DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
TARGET="$BASE_DIR/k8s/${K8S_VERSION}-linux-amd64"

WANTED=(kube-apiserver etcd kubectl kube-controller-manager)
if [[ "${1:-}" == "node" ]]; then
  WANTED+=(kubelet kube-scheduler kube-proxy)
fi
MISSING=()
for binary in "${WANTED[@]}"; do
  [[ -x "$TARGET/$binary" ]] || MISSING+=("$binary")
done
if [[ ${#MISSING[@]} -eq 0 ]]; then
  echo "kube binaries present in $TARGET"
  exit 0
fi

command -v go >/dev/null || { echo "go is required to build ${MISSING[*]}" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

echo "building ${MISSING[*]} v$K8S_VERSION from the Go module proxy (takes a few minutes, once)"
STAGING_VERSION="v0.${K8S_VERSION#1.}"
MOD_FILE="$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')"

go mod init lbaas.dev/kube-binaries >/dev/null 2>&1
{
  echo "require k8s.io/kubernetes v$K8S_VERSION"
  # Every "k8s.io/foo => ./staging/src/k8s.io/foo" becomes "k8s.io/foo => k8s.io/foo v0.Y.Z".
  grep -E '^\s*k8s\.io/[^ ]+ => \./staging/' "$MOD_FILE" \
    | awk -v v="$STAGING_VERSION" '{print "replace " $1 " => " $1 " " v}'
} >> go.mod
# Other replace directives of the kubernetes module (non-staging pins) are copied as they are.
awk '/^replace \(/{inblock=1; next} inblock && /^\)/{inblock=0} inblock && !/\.\/staging/ && /=>/{print "replace " $0}' "$MOD_FILE" >> go.mod

package_of() {
  case "$1" in
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    *) echo "k8s.io/kubernetes/cmd/$1" ;;
  esac
}

{
  echo '//go:build tools'
  echo
  echo 'package tools'
  echo
  echo 'import ('
  for binary in "${MISSING[@]}"; do echo "	_ \"$(package_of "$binary")\""; done
  echo ')'
} > tools.go
# kube-scheduler needs modules (github.com/moby/term) that only tidy adds.
go mod tidy >/dev/null 2>&1 || go get $(for binary in "${MISSING[@]}"; do package_of "$binary"; done)

MINOR="${K8S_VERSION#1.}"; MINOR="${MINOR%%.*}"
LDFLAGS=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDFLAGS="$LDFLAGS -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$MINOR"
  LDFLAGS="$LDFLAGS -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

mkdir -p "$WORK/out"
export CGO_ENABLED=0
for binary in "${MISSING[@]}"; do
  if [[ "$binary" == etcd ]]; then
    go build -o "$WORK/out/etcd" go.etcd.io/etcd/server/v3
  else
    go build -tags selinux,notest -ldflags "$LDFLAGS" -o "$WORK/out/$binary" "$(package_of "$binary")"
  fi
done

mkdir -p "$TARGET"
mv "$WORK/out/"* "$TARGET/"
echo "kube binaries built into $TARGET: ${MISSING[*]}"
