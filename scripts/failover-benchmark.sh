#!/usr/bin/env bash
# Failover of an ACTIVE_STANDBY load balancer, measured under a steady request stream: the master
# SIGKILLed N times, SIGSTOPped and resumed once, and N planned failovers. Prints a row per run
# (longest gap, failed requests, whether persisted clients kept their members). On the local driver
# about 2 minutes for the default 10 runs; with --driver kubernetes (root) on the real single-node
# cluster, amphorae as pods (a killed container's restarts back off, so fewer runs suit it). Kept
# out of the test command.
#
# With --driver kubernetes, --master-endpoint Readiness measures the alternative way for the VIP
# Service to reach the master (only the master ready) against the default, WrittenByMaster.
#
#   scripts/failover-benchmark.sh [--driver local|kubernetes] [--master-endpoint WrittenByMaster|Readiness]
#                                 [--runs 10] [--rate 500]
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/e2e-main.sh dev.lbaas.e2e.FailoverBenchmark "$@"
