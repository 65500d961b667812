#!/usr/bin/env bash
# Copies the CRDs the build generates (crds/api module) into the Helm chart, which installs them from
# helm/lbaas-operator/crds, and the API's admission policies into helm/lbaas-operator/files. Run after changing the API classes and building the crds module;
# helm's ChartCrdsTest fails while the chart's copy differs from the generated one.
set -euo pipefail
PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GENERATED="$PROJECT/crds/api/target/classes/META-INF/fabric8"
CHART_CRDS="$PROJECT/helm/lbaas-operator/crds"
[[ -d "$GENERATED" ]] || { echo "build the crds module first: ./mvnw -pl crds/api -am package" >&2; exit 1; }
rm -f "$CHART_CRDS"/*.yaml
for file in "$GENERATED"/*.lbaas.dev-v1.yml; do
  name="$(basename "$file" -v1.yml)"
  cp "$file" "$CHART_CRDS/$name.yaml"
done
# The admission policies come with the API; the chart's template includes its copy.
cp "$PROJECT/crds/api/target/classes/META-INF/lbaas/admission-policies.yaml" "$PROJECT/helm/lbaas-operator/files/"
echo "chart CRDs and admission policies updated from the crds build"
