#!/usr/bin/env bash
# The whole system on this machine, no cluster needed: builds the project, starts a local control
# plane (kube-apiserver, etcd, kube-controller-manager), the operator with the local driver and two
# demo web servers, applies examples/seed-scenario.yaml, shows the load balancer answering, and
# keeps running for exploration with kubectl until Ctrl-C, which stops everything it started.
#
#   ./quickstart.sh --kubernetes   (root) the same demo on a real single-node cluster started on this
#                                  machine: the chart installed with helm, amphorae and web servers as
#                                  pods, the VIP a Service; Ctrl-C stops the cluster and cleans the host.
set -euo pipefail
cd "$(dirname "$0")"

exec bash scripts/e2e-main.sh dev.lbaas.e2e.Quickstart "$@"
