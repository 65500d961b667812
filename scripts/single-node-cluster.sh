#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, for the end-to-end tests of the Kubernetes
# driver and the Helm chart, and for `quickstart.sh --kubernetes`:
#
#   single-node-cluster.sh up <state directory>     start it; prints KUBECONFIG=<admin kubeconfig>
#   single-node-cluster.sh down <state directory>   stop it and leave the host as it was
#   single-node-cluster.sh import <state directory> <image archive>...   import images for pods
#   single-node-cluster.sh demo-web <state directory>   build and import localhost/lbaas/demo-web:1, the
#                                                       web servers of the demo and the tests
#   single-node-cluster.sh demo-web-archive <directory>   only build it, into <directory>/demo-web.tar
#                                                         (for other clusters; no root needed)
#   single-node-cluster.sh kill <state directory> <container id>   SIGKILL a container's process, as
#                                                                 the OOM killer or a crash would
#
# etcd, kube-apiserver (RBAC enforced: every identity but the admin is a real user with the
# built-in roles of its component), kube-controller-manager, kube-scheduler, kube-proxy (iptables)
# and a kubelet running pods with containerd, runc and a bridge CNI. Root only. The binaries come
# from scripts/kube-binaries.sh node (built from the Go module proxy), the rest from the OS
# packages (installed when missing). No image registry is used: images are imported from archives
# and pods name them with imagePullPolicy Never or IfNotPresent.
#
# Everything the cluster makes lives under the state directory or is undone by `down`: processes,
# mounts, pods' network namespaces, the bridge, iptables chains, cgroups and the sysctls the
# kubelet and the bridge need. `up` first cleans what an earlier run left behind. Pod and Service
# addresses come from ranges only this cluster uses; all traffic stays on this machine.
set -euo pipefail

ACTION="${1:?usage: $0 up|down|import|demo-web|demo-web-archive|kill|signal <state directory> [image archive... | container id [signal]]}"
STATE="$(realpath -m "${2:?state directory}")"
PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
K8S_VERSION="${K8S_VERSION:-1.34.4}"
BIN="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/${K8S_VERSION}-linux-amd64"

NODE_NAME="lbaas-node"
POD_CIDR="10.254.1.0/24"
SERVICE_CIDR="10.254.2.0/24"
API_SERVICE_IP="10.254.2.1"
BRIDGE="lbaas0"
API_PORT=16443
ETCD_PORT=12379
ETCD_PEER_PORT=12380
# What the kubelet and the pod network change on the host; `up` saves them, `down` restores them.
SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables vm.overcommit_memory kernel.panic kernel.panic_on_oops)

log() { echo "[cluster] $*" >&2; }

node_ip() {
  # The kubelet refuses a loopback node IP, so the node is this machine's primary address.
  ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1
}

require_root() {
  [[ $EUID -eq 0 ]] || { echo "the single-node cluster needs root (kubelet, containerd, iptables)" >&2; exit 1; }
}

install_packages() {
  local missing=()
  command -v containerd >/dev/null || missing+=(containerd)
  command -v runc >/dev/null || missing+=(runc)
  [[ -x /usr/lib/cni/bridge ]] || missing+=(containernetworking-plugins)
  command -v iptables >/dev/null || missing+=(iptables)
  command -v conntrack >/dev/null || missing+=(conntrack)
  command -v openssl >/dev/null || missing+=(openssl)
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "installing ${missing[*]} from the OS packages"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  bash "$PROJECT/scripts/kube-binaries.sh" node >&2
}

start() {
  local name="$1"; shift
  setsid "$@" >"$STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE/pids/$name"
}

stop() {
  local name="$1" pid
  [[ -f "$STATE/pids/$name" ]] || return 0
  pid="$(cat "$STATE/pids/$name")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$STATE/pids/$name"
}

wait_for() {
  local what="$1" seconds="$2"; shift 2
  for _ in $(seq $((seconds * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  log "$what did not come up within ${seconds}s; logs in $STATE/logs"
  return 1
}

kubeconfig() {
  local file="$1" token="$2"
  cat > "$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lbaas
  cluster:
    server: https://$(node_ip):$API_PORT
    certificate-authority: $STATE/pki/ca.crt
users:
- name: user
  user:
    token: $token
contexts:
- name: lbaas
  context: {cluster: lbaas, user: user}
current-context: lbaas
EOF
}

pki() {
  local ip="$1" dir="$STATE/pki"
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=lbaas-cluster-ca" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$dir/apiserver.key" -out "$dir/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:%s,IP:%s,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' \
    "$ip" "$API_SERVICE_IP" > "$dir/apiserver.ext"
  openssl x509 -req -in "$dir/apiserver.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 30 \
    -extfile "$dir/apiserver.ext" -out "$dir/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
  openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
  # Token identities: the admin, and the components as the users their built-in RBAC roles name.
  : > "$dir/tokens.csv"
  local user token
  for user in admin kubelet kube-proxy kube-scheduler kube-controller-manager; do
    token="$(openssl rand -hex 24)"
    case "$user" in
      admin) echo "$token,lbaas-admin,lbaas-admin,system:masters" >> "$dir/tokens.csv" ;;
      kubelet) echo "$token,system:node:$NODE_NAME,system:node:$NODE_NAME,system:nodes" >> "$dir/tokens.csv" ;;
      *) echo "$token,system:$user,system:$user" >> "$dir/tokens.csv" ;;
    esac
    kubeconfig "$STATE/$user.kubeconfig" "$token"
  done
  chmod 600 "$dir"/*.key "$dir/tokens.csv" "$STATE"/*.kubeconfig
}

# One static Go program as an image: scripts/cluster/<source>.go as /<source>.
single_binary_image() {
  local source="$1" name="$2" archive="$3" work
  work="$(mktemp -d)"
  cp "$PROJECT/scripts/cluster/$source.go" "$work/main.go"
  (cd "$work" && go mod init "lbaas.dev/$source" >/dev/null 2>&1 && CGO_ENABLED=0 go build -ldflags "-s -w" -o "$source" .)
  python3 "$PROJECT/scripts/cluster/oci-image.py" "$work/$source" "$name" "$archive"
  rm -rf "$work"
}

pause_image() {
  single_binary_image pause "localhost/lbaas/pause:1" "$STATE/pause.tar"
}

containerd_config() {
  mkdir -p "$STATE/containerd" "$STATE/cni/net.d" "$STATE/cni/ipam"
  cat > "$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$STATE/containerd/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/lbaas/pause:1"
  # This machine refuses a negative oom_score_adj; without this every sandbox fails to start.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
EOF
  # Pods reach each other on the bridge, and the Service range and the node (the API server)
  # through it; nothing else.
  cat > "$STATE/cni/net.d/10-lbaas.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "lbaas",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR"}]],
        "routes": [{"dst": "$SERVICE_CIDR"}, {"dst": "$1/32"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
}

kubelet_config() {
  mkdir -p "$STATE/kubelet"
  cat > "$STATE/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $1
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$STATE/containerd/containerd.sock
podLogsDir: $STATE/pod-logs
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
podCIDR: $POD_CIDR
maxPods: 60
serializeImagePulls: false
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
nodeStatusUpdateFrequency: 2s
syncFrequency: 5s
EOF
}

up() {
  require_root
  install_packages
  if [[ -d "$STATE" ]]; then down; fi
  mkdir -p "$STATE/logs" "$STATE/pids" "$STATE/sysctl"
  local ip
  ip="$(node_ip)"
  log "node $NODE_NAME at $ip; pods $POD_CIDR, services $SERVICE_CIDR; state in $STATE"
  for key in "${SYSCTLS[@]}"; do
    sysctl -n "$key" > "$STATE/sysctl/$key" 2>/dev/null || rm -f "$STATE/sysctl/$key"
  done
  sysctl -qw net.ipv4.ip_forward=1
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true

  pki "$ip"
  pause_image
  containerd_config "$ip"
  kubelet_config "$ip"

  start etcd "$BIN/etcd" --data-dir "$STATE/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "default=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync
  start containerd containerd --config "$STATE/containerd/config.toml"
  start kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address "$ip" --advertise-address "$ip" --secure-port "$API_PORT" \
    --tls-cert-file "$STATE/pki/apiserver.crt" --tls-private-key-file "$STATE/pki/apiserver.key" \
    --client-ca-file "$STATE/pki/ca.crt" --token-auth-file "$STATE/pki/tokens.csv" \
    --authorization-mode Node,RBAC --service-cluster-ip-range "$SERVICE_CIDR" \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$STATE/pki/sa.pub" \
    --service-account-signing-key-file "$STATE/pki/sa.key" --kubelet-preferred-address-types InternalIP \
    --enable-admission-plugins NodeRestriction
  wait_for kube-apiserver 60 "$BIN/kubectl" --kubeconfig "$STATE/admin.kubeconfig" get --raw /readyz

  start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
    --use-service-account-credentials --service-account-private-key-file "$STATE/pki/sa.key" \
    --root-ca-file "$STATE/pki/ca.crt" --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 \
    --controllers '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route' --concurrent-gc-syncs 5 \
    --node-monitor-grace-period 20s
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$STATE/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig "$STATE/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig "$STATE/kube-scheduler.kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port 0
  wait_for containerd 30 ctr -a "$STATE/containerd/containerd.sock" version
  ctr -a "$STATE/containerd/containerd.sock" -n k8s.io images import "$STATE/pause.tar" >/dev/null
  start kubelet "$BIN/kubelet" --config "$STATE/kubelet/config.yaml" --kubeconfig "$STATE/kubelet.kubeconfig" \
    --hostname-override "$NODE_NAME" --node-ip "$ip" --root-dir "$STATE/kubelet" --cert-dir "$STATE/kubelet/pki"
  # iptables mode, converging at once; conntrack and route_localnet sysctls left as they are.
  start kube-proxy "$BIN/kube-proxy" --kubeconfig "$STATE/kube-proxy.kubeconfig" --hostname-override "$NODE_NAME" \
    --proxy-mode iptables --cluster-cidr "$POD_CIDR" --conntrack-max-per-core 0 \
    --conntrack-tcp-timeout-established 0 --conntrack-tcp-timeout-close-wait 0 --nodeport-addresses primary \
    --iptables-min-sync-period 0s --metrics-bind-address 127.0.0.1:10249 --healthz-bind-address 127.0.0.1:10256
  wait_for "node $NODE_NAME" 60 "$BIN/kubectl" --kubeconfig "$STATE/admin.kubeconfig" wait --for=condition=Ready \
    "node/$NODE_NAME" --timeout=1s
  wait_for "the default service account" 30 "$BIN/kubectl" --kubeconfig "$STATE/admin.kubeconfig" get serviceaccount default
  log "ready"
  echo "KUBECONFIG=$STATE/admin.kubeconfig"
}

import_images() {
  local archive
  for archive in "$@"; do
    ctr -a "$STATE/containerd/containerd.sock" -n k8s.io images import "$archive" >/dev/null
    log "imported $archive"
  done
}

down() {
  require_root
  [[ -d "$STATE" ]] || return 0
  log "stopping the cluster in $STATE"
  # Pods first, while the kubelet still runs: it tears down their network namespaces and mounts.
  if [[ -f "$STATE/pids/kubelet" ]] && kill -0 "$(cat "$STATE/pids/kubelet")" 2>/dev/null \
      && "$BIN/kubectl" --kubeconfig "$STATE/admin.kubeconfig" get --raw /readyz >/dev/null 2>&1; then
    "$BIN/kubectl" --kubeconfig "$STATE/admin.kubeconfig" delete pods --all --all-namespaces --grace-period=0 \
      --force --wait=false >/dev/null 2>&1 || true
    for _ in $(seq 100); do
      [[ -z "$(ctr -a "$STATE/containerd/containerd.sock" -n k8s.io tasks ls -q 2>/dev/null)" ]] && break
      sleep 0.2
    done
  fi
  for name in kube-proxy kube-scheduler kube-controller-manager kubelet; do stop "$name"; done
  # Whatever still runs in containerd: kill its tasks, then containerd, then any shim left.
  local sock="$STATE/containerd/containerd.sock" task sandbox
  if [[ -S "$sock" ]]; then
    for task in $(ctr -a "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr -a "$sock" -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
    done
  fi
  stop containerd
  pkill -KILL -f "containerd-shim.*-address $sock" 2>/dev/null || true
  # Sandboxes' network namespaces (the CNI gives each pod one).
  for sandbox in $(ip netns list 2>/dev/null | awk '/^cni-/{print $1}'); do ip netns delete "$sandbox" 2>/dev/null || true; done
  stop kube-apiserver
  stop etcd
  # Chains: kube-proxy's, then the kubelet's own (KUBE-FIREWALL also drops non-loopback traffic to 127/8).
  if [[ -x "$BIN/kube-proxy" ]]; then "$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true; fi
  local table chain
  for table in filter nat mangle; do
    for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT KUBE-PROXY-CANARY KUBE-MARK-DROP KUBE-MARK-MASQ KUBE-POSTROUTING; do
      # Jumps to the chain first (rules as iptables -S prints them, comments quoted), then the chain.
      iptables -t "$table" -S 2>/dev/null | { grep -E -- "-j $chain( |$)" || true; } | sed 's/^-A/-D/' \
          | while read -r rule; do
        eval iptables -t "$table" "$rule" 2>/dev/null || true
      done
      iptables -t "$table" -F "$chain" 2>/dev/null || true
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
  # Mounts under the state directory (volumes, overlays, sandboxes' /dev/shm), deepest first.
  local mount
  for mount in $(awk -v s="$STATE" 'index($2, s) == 1 {print $2}' /proc/mounts | sort -r); do
    umount -l "$mount" 2>/dev/null || true
  done
  ip link delete "$BRIDGE" 2>/dev/null || true
  # The kubelet's cgroups (cgroup v1: one tree per controller; v2: one tree), deepest first.
  local group
  for group in $(find /sys/fs/cgroup -depth -type d -name 'kubepods*' 2>/dev/null; \
                 find /sys/fs/cgroup -depth -type d -path '*/kubepods*' 2>/dev/null); do
    rmdir "$group" 2>/dev/null || true
  done
  local key file
  for file in "$STATE"/sysctl/*; do
    [[ -f "$file" ]] || continue
    key="$(basename "$file")"
    sysctl -qw "$key=$(cat "$file")" 2>/dev/null || true
  done
  rm -rf "$STATE"
  log "stopped; host cleaned"
}

case "$ACTION" in
  up) up ;;
  down) down ;;
  import) shift 2; import_images "$@" ;;
  demo-web) single_binary_image demo-web "localhost/lbaas/demo-web:1" "$STATE/demo-web.tar"; import_images "$STATE/demo-web.tar" ;;
  kill) ctr -a "$STATE/containerd/containerd.sock" -n k8s.io tasks kill -s SIGKILL "${3:?container id}" ;;
  # every process of the container, not only its first: a pause must stop the whole amphora
  signal) ctr -a "$STATE/containerd/containerd.sock" -n k8s.io tasks kill --all -s "${4:?signal}" "${3:?container id}" ;;
  demo-web-archive) mkdir -p "$STATE"; single_binary_image demo-web "localhost/lbaas/demo-web:1" "$STATE/demo-web.tar"; echo "$STATE/demo-web.tar" ;;
  *) echo "usage: $0 up|down|import|demo-web|demo-web-archive|kill|signal <state directory> [image archive... | container id [signal]]" >&2; exit 2 ;;
esac
