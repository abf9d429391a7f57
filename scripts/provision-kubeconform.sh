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
cache_root="${FIRMWARDEN_CACHE:-$HOME/.cache/firmwarden}/kubeconform"
bin="$cache_root/$version/bin"
env_file="$cache_root/current.env"

write_env() {
  local tmp="$env_file.tmp.$$"
  {
    echo "FIRMWARDEN_KUBECONFORM=$bin/kubeconform"
    echo "FIRMWARDEN_KUBECONFORM_VERSION=$version"
  } >"$tmp"
  mv "$tmp" "$env_file"
  cat "$env_file"
}

mkdir -p "$cache_root"
if [ -x "$bin/kubeconform" ]; then write_env; exit 0; fi

command -v go >/dev/null 2>&1 || {
  echo "provision-kubeconform: 'go' is not on PATH; install Go and rerun" >&2
  exit 1
}
command -v flock >/dev/null 2>&1 && {
  # Two benchmarks starting at once would build twice; the second waits for the first.
  exec 9>"$cache_root/.lock"
  flock 9
  if [ -x "$bin/kubeconform" ]; then write_env; exit 0; fi
}

started=$(date +%s)
echo "provision-kubeconform: building kubeconform $version from the Go module proxy into $bin" >&2
work="$(mktemp -d "${TMPDIR:-/tmp}/firmwarden-kubeconform.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# `go install pkg@version` builds in module mode with kubeconform's own go.mod, outside any
# module; -mod=mod keeps a GOFLAGS=-mod=vendor in the caller's environment from breaking it.
(cd "$work" && GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0 GOBIN="$work" GOFLAGS="-mod=mod -buildvcs=false" \
  go install -trimpath -ldflags='-s -w' "github.com/yannh/kubeconform/cmd/kubeconform@$version") >"$work/build.log" 2>&1 || {
  tail -40 "$work/build.log" >&2
  echo "provision-kubeconform: building kubeconform $version failed" >&2
  exit 1
}
mkdir -p "$bin"
mv -f "$work/kubeconform" "$bin/kubeconform.tmp.$$"
mv -f "$bin/kubeconform.tmp.$$" "$bin/kubeconform"
echo "provision-kubeconform: built in $(( $(date +%s) - started )) s" >&2
write_env
