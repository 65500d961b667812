#!/usr/bin/env bash
# Mutation testing with PIT of the pure cores: the operator's model and status, the amphora's
# balancing, rise/fall counting and failover protocol, and the amphora-config records. Runs the unit tests against
# every mutant, then prints the score of each package and fails if one is below the target.
#
#   scripts/mutation-scores.sh               # about 5 minutes on 2 cores
#   MUTATION_TARGET=90 scripts/mutation-scores.sh
#
# HTML reports: <module>/target/pit-reports/index.html
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${MUTATION_TARGET:-85}"
./mvnw -B -Pmutation test -pl dataplane-image/amphora-config,dataplane-image/amphora,operator -am "$@"
python3 - "$TARGET" dataplane-image/amphora-config dataplane-image/amphora operator <<'PY'
import collections, sys, xml.etree.ElementTree as ET
target = float(sys.argv[1])
rows = collections.OrderedDict()
for module in sys.argv[2:]:
    for mutation in ET.parse(module + "/target/pit-reports/mutations.xml").getroot():
        package = mutation.findtext("mutatedClass").rsplit(".", 1)[0]
        row = rows.setdefault(package, collections.Counter())
        row["mutants"] += 1
        row["killed" if mutation.get("detected") == "true" else mutation.get("status").lower()] += 1
print(f"{'package':38} {'mutants':>7} {'killed':>6} {'survived':>8} {'no cover':>8} {'score':>6}")
low = []
for package, row in rows.items():
    score = 100.0 * row["killed"] / row["mutants"]
    print(f"{package:38} {row['mutants']:7} {row['killed']:6} {row['survived']:8} {row['no_coverage']:8} {score:5.1f}%")
    if score < target:
        low.append(package)
if low:
    print(f"below {target:.0f}%: " + ", ".join(low))
    sys.exit(1)
print(f"every package at {target:.0f}% or more")
PY
