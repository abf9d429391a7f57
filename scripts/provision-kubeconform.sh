#!/usr/bin/env bash
# Provides kubeconform, the peer the lint benchmarks compare against (bench/lint.bench.ts,
# bench/lint-5k.bench.ts). Built from the Go module proxy at a pinned version, never
# downloaded as a release binary. Benchmarks only: neither `npm test` nor .ci/run calls it.
#
# Cached in ${FIRMWARDEN_CACHE:-$HOME/.cache/firmwarden}/kubeconform/VERSION/bin/kubeconform and
# reused; idempotent and quiet when it is there. Writes ${FIRMWARDEN_CACHE}/kubeconform/current.env
# (FIRMWARDEN_KUBECONFORM=…, FIRMWARDEN_KUBECONFORM_VERSION=…) and prints the same lines.
#
# Environment: FIRMWARDEN_KUBECONFORM_VERSION (default below), FIRMWARDEN_CACHE.
# Needs: go (>= 1.26 for v0.8.0) and network access to the proxy. The first build takes a
# minute or two; later runs reuse the cache.
set -euo pipefail

version="${FIRMWARDEN_KUBECONFORM_VERSION:-v0.8.0}"
case "$version" in v*) ;; *) version="v$version" ;; esac
env_lines() {
  echo "FIRMWARDEN_KUBECONFORM=$1/kubeconform"
  echo "FIRMWARDEN_KUBECONFORM_VERSION=$version"
}
. "$(dirname "$0")/go-tool.sh"
provision_go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$version"
