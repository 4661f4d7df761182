#!/usr/bin/env bash
# Checks deploy/ offline: every Kubernetes manifest against the Kubernetes JSON schemas with
# kubeconform (strict: unknown fields fail), the Prometheus scrape config with promtool, and
# the Grafana dashboard as JSON. Installs what it needs under .tools/ on first use:
#   - kubeconform v0.8.0 from the Go module proxy (`go install`),
#   - the schemas from PyPI's kubernetes-validate wheel, folded into standalone files by
#     scripts/k8s_schemas.py (kubeconform cannot follow their shared _definitions.json),
#   - promtool from Debian's prometheus package (scripts/promtool-test.sh installs it).
# The ServiceMonitor (a CRD) is checked against deploy/schemas/, written for it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
KUBE_VERSION="${KUBE_VERSION:-1.33.0}"
KUBECONFORM_VERSION=v0.8.0
KUBERNETES_VALIDATE_VERSION=1.37.0
TOOLS="$ROOT/.tools"
log() { echo "[deploy-check] $*"; }

KUBECONFORM="$TOOLS/bin/kubeconform"
if [ ! -x "$KUBECONFORM" ]; then
  command -v go >/dev/null 2>&1 || { log "go is needed to install kubeconform"; exit 1; }
  log "installing kubeconform $KUBECONFORM_VERSION from the Go module proxy"
  GOBIN="$TOOLS/bin" GOMODCACHE="$TOOLS/gomod" GOFLAGS=-modcacherw \
    go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
fi

SCHEMAS="$TOOLS/k8s-schemas/$KUBE_VERSION"
if [ ! -s "$SCHEMAS/deployment-apps-v1.json" ]; then
  WHEEL="$(ls "$TOOLS"/pip/kubernetes_validate-"$KUBERNETES_VALIDATE_VERSION"-*.whl 2>/dev/null | head -1 || true)"
  if [ -z "$WHEEL" ]; then
    log "downloading kubernetes-validate $KUBERNETES_VALIDATE_VERSION from PyPI (schemas only)"
    PIP="$ROOT/.venv/bin/pip"
    [ -x "$PIP" ] || PIP="pip3"
    "$PIP" download -q --no-deps -d "$TOOLS/pip" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
    WHEEL="$(ls "$TOOLS"/pip/kubernetes_validate-"$KUBERNETES_VALIDATE_VERSION"-*.whl | head -1)"
  fi
  python3 scripts/k8s_schemas.py "$WHEEL" "$KUBE_VERSION" "$SCHEMAS"
fi

mapfile -t MANIFESTS < <(find deploy/kubernetes -name '*.yaml' ! -name kustomization.yaml | sort)
log "kubeconform: ${#MANIFESTS[@]} files against Kubernetes $KUBE_VERSION (strict)"
"$KUBECONFORM" -strict -summary -output text \
  -schema-location "$SCHEMAS/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
  -schema-location "deploy/schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
  "${MANIFESTS[@]}"

# kustomization.yaml lists only files that exist, and every manifest of the service form
listed=$(sed -n '/^resources:/,/^[^ ]/s/^  - //p' deploy/kubernetes/kustomization.yaml)
for r in $listed; do
  [ -f "deploy/kubernetes/$r" ] || { log "kustomization.yaml lists a missing file: $r"; exit 1; }
done
for f in deploy/kubernetes/*.yaml; do
  b=$(basename "$f")
  case "$b" in kustomization.yaml | prometheus-adapter-rules.yaml) continue ;; esac
  grep -qx "$b" <<<"$listed" || { log "kustomization.yaml does not list $b"; exit 1; }
done
log "kustomization.yaml: $(wc -w <<<"$listed") resources, all present"

command -v promtool >/dev/null 2>&1 || bash scripts/promtool-test.sh >/dev/null
# Debian's Prometheus is built without Kubernetes service discovery, so promtool refuses
# kubernetes_sd_configs; check a copy with static targets in their place (everything else —
# relabelling regexes, rule files — is checked as written).
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/rules"
sed -e 's/^    kubernetes_sd_configs:/    static_configs:/' \
    -e 's/^      - role: .*/      - targets: ["127.0.0.1:8002"]/' \
    deploy/prometheus/prometheus.yml >"$WORK/prometheus.yml"
cp monitoring/sluice-rules.yml monitoring/drift-rules.yml "$WORK/rules/"
promtool check config "$WORK/prometheus.yml"

shopt -s nullglob
for f in deploy/grafana/*.json; do
  python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$f"
done
log "ok"
