#!/usr/bin/env bash
# The differential test of the amphora's HTTP against Node's llhttp (HttpDifferentialIT) with many
# more generated cases than the test command runs: TRIES per transport (io_uring, then epoll).
# About 11 ms a case on a 2-core machine, so the default takes some 20 minutes.
#
#   dataplane-image/bench/http-differential.sh
#   TRIES=200000 dataplane-image/bench/http-differential.sh
#
# A failing case is printed as one line of escaped bytes, to be added to
# dataplane-image/amphora/src/test/resources/http-differential/regressions.txt; the next run tries
# the failed sample first (jqwik's database in dataplane-image/amphora/target).
set -euo pipefail
cd "$(dirname "$0")/../.."
TRIES="${TRIES:-50000}"
exec ./mvnw -B -pl dataplane-image/amphora -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=HttpDifferentialIT -Dfailsafe.failIfNoSpecifiedTests=false -Djqwik.tries.default="$TRIES"
