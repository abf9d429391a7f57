#!/usr/bin/env bash
# Provides the Prometheus Operator's PrometheusRule and ServiceMonitor CRDs for the Kubernetes
# test of examples/deploy/monitoring (test/kube/monitoring.test.ts): they are not built-in types.
# Generated, not downloaded: controller-gen (sigs.k8s.io/controller-tools) is built from the Go
# module proxy and run on the operator's own API types (the Go module
# github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring), which is how the
# operator makes the CRDs it ships.
#
# Cached in ${FIRMWARDEN_CACHE:-$HOME/.cache/firmwarden}/monitoring-crds/VERSION/ and reused;
# idempotent and quiet when they are there. Writes ${FIRMWARDEN_CACHE}/monitoring-crds/current.env
# (FIRMWARDEN_MONITORING_CRDS=<folder>), which the test reads, and prints the same line.
#
# Environment: FIRMWARDEN_MONITORING_CRDS_VERSION (the operator's API module, default below),
# FIRMWARDEN_CONTROLLER_GEN_VERSION, FIRMWARDEN_CACHE. Needs: go and the proxy; about two
# minutes the first time.
set -euo pipefail

version="${FIRMWARDEN_MONITORING_CRDS_VERSION:-v0.95.2}"
gen_version="${FIRMWARDEN_CONTROLLER_GEN_VERSION:-v0.23.0}"
cache_root="${FIRMWARDEN_CACHE:-$HOME/.cache/firmwarden}/monitoring-crds"
dest="$cache_root/$version"
env_file="$cache_root/current.env"
wanted=(monitoring.coreos.com_prometheusrules.yaml monitoring.coreos.com_servicemonitors.yaml)

write_env() {
  local tmp="$env_file.tmp.$$"
  echo "FIRMWARDEN_MONITORING_CRDS=$dest" >"$tmp"
  mv "$tmp" "$env_file"
  cat "$env_file"
}
have_all() {
  for f in "${wanted[@]}"; do [ -s "$dest/$f" ] || return 1; done
}

mkdir -p "$cache_root"
if have_all; then write_env; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "provision-monitoring-crds: 'go' is not on PATH; install Go and rerun" >&2; exit 1; }
command -v flock >/dev/null 2>&1 && {
  exec 9>"$cache_root/.lock"
  flock 9
  if have_all; then write_env; exit 0; fi
}

started=$(date +%s)
echo "provision-monitoring-crds: generating the PrometheusRule and ServiceMonitor CRDs of prometheus-operator $version with controller-gen $gen_version" >&2
work="$(mktemp -d "${TMPDIR:-/tmp}/firmwarden-monitoring-crds.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"
fail() { tail -40 "$work/log" >&2; echo "provision-monitoring-crds: $1" >&2; exit 1; }

(cd "$work" && GOBIN="$work/bin" go install -trimpath -ldflags='-s -w' "sigs.k8s.io/controller-tools/cmd/controller-gen@$gen_version") >"$work/log" 2>&1 ||
  fail "building controller-gen $gen_version failed"
mkdir -p "$work/mod"
cat >"$work/mod/go.mod" <<'EOF'
module firmwarden.local/monitoring-crds

go 1.25
EOF
# A tools file makes `go mod tidy` keep the API package controller-gen reads.
cat >"$work/mod/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
EOF
(cd "$work/mod" && go get "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring@$version" && go mod tidy) >>"$work/log" 2>&1 ||
  fail "could not resolve github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring@$version"
(cd "$work/mod" && "$work/bin/controller-gen" crd:crdVersions=v1 \
  paths=github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1 output:crd:dir="$work/out") >>"$work/log" 2>&1 ||
  fail "controller-gen failed"
mkdir -p "$dest"
for f in "${wanted[@]}"; do
  [ -s "$work/out/$f" ] || fail "controller-gen made no $f"
  mv -f "$work/out/$f" "$dest/$f.tmp.$$"
  mv -f "$dest/$f.tmp.$$" "$dest/$f"
done
echo "provision-monitoring-crds: done in $(( $(date +%s) - started )) s" >&2
write_env
