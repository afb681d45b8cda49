#!/usr/bin/env bash
# The postq-agent chart: `helm lint --strict`, `helm template` of several value sets
# (checked by check_chart.py), and the renders that must fail. helm is built once from
# the Go module proxy into target/tools/ and reused.
#   bash deploy/helm/test.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CHART="$HERE/postq-agent"
HELM_VERSION=v3.16.1
TOOLS="$ROOT/target/tools"
HELM="$TOOLS/helm"

# `go install` builds print a short version (v3.16): a stamp file records the full one.
if [ ! -x "$HELM" ] || [ "$(cat "$HELM.version" 2>/dev/null)" != "$HELM_VERSION" ]; then
  command -v go >/dev/null || { echo "FAIL: Go is needed to build helm" >&2; exit 1; }
  echo "== building helm $HELM_VERSION (go install, once)"
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && GOBIN="$TOOLS" GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
  echo "$HELM_VERSION" > "$HELM.version"
fi

PY=python3
if ! "$PY" -c 'import yaml' 2>/dev/null; then
  VENV="$TOOLS/chart-venv"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -c 'import yaml' 2>/dev/null \
    || "$VENV/bin/python" -m pip install -q --disable-pip-version-check 'PyYAML>=6,<7'
  PY="$VENV/bin/python"
fi

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
KEY=pq_test_chart_key_0123456789
KUBE=(--kube-version 1.31.0)
BASE=(--namespace postq "${KUBE[@]}" --set clusterName=prod-east-1)

echo "== helm lint --strict"
"$HELM" lint --strict "$CHART" "${BASE[@]}" --set apiKey="$KEY" --set orgId=org_acme
"$HELM" lint --strict "$CHART" "${BASE[@]}" --set existingSecret.name=postq-agent-key --set oneShot=true

echo "== helm template"
render() { local name="$1"; shift; "$HELM" template postq-agent "$CHART" "${BASE[@]}" "$@" > "$OUT/$name.yaml"; }
render default --set apiKey="$KEY" --set orgId=org_acme
render oneshot --set existingSecret.name=postq-agent-key --set oneShot=true
render schedule --set apiKey="$KEY" --set schedule='*/15 * * * *'
render no-crds --set apiKey="$KEY" --set rbac.certManager=false --set rbac.istio=false --set rbac.linkerd=false

echo "== renders that must fail"
refuse() {
  local want="$1"; shift
  if err="$("$HELM" template postq-agent "$CHART" --namespace postq "${KUBE[@]}" "$@" 2>&1)"; then
    echo "FAIL: rendered without an error: $*" >&2; exit 1
  fi
  grep -q "$want" <<<"$err" || { echo "FAIL: expected '$want' in: $err" >&2; exit 1; }
  echo "refused ($want)"
}
refuse "clusterName is required" --set apiKey="$KEY"
refuse "set apiKey or existingSecret.name" --set clusterName=c
refuse "only one of apiKey and existingSecret.name" --set clusterName=c --set apiKey="$KEY" --set existingSecret.name=s

echo "== check the rendered manifests"
"$PY" "$HERE/check_chart.py" "$OUT" "$CHART" "$ROOT/deploy/agent.Dockerfile"
