#!/usr/bin/env bash
# Provides a real kube-apiserver, etcd and kubectl for the Kubernetes tests (test/kube/).
#
# Nothing is downloaded as a release binary: everything is compiled from the Go module proxy.
# A throwaway wrapper module requires k8s.io/kubernetes vX.Y.Z and replaces each of its
# staging modules (k8s.io/api, apimachinery, apiserver, client-go, …), which the upstream
# go.mod points at ./staging, with the published v0.Y.Z module. etcd is built from
# go.etcd.io/etcd/server/v3 at the version that Kubernetes release itself depends on.
#
# Binaries are cached in ${FIRMWARDEN_CACHE:-$HOME/.cache/firmwarden}/kube/vX.Y.Z/bin and
# reused; the script is idempotent and quiet when they are there. It writes
# ${FIRMWARDEN_CACHE}/kube/current.env (FIRMWARDEN_KUBE_APISERVER, FIRMWARDEN_ETCD,
# FIRMWARDEN_KUBECTL), which the test harness reads, and prints the same lines.
#
# Environment: FIRMWARDEN_KUBE_VERSION (default below), FIRMWARDEN_CACHE,
# FIRMWARDEN_KUBE_BUILD_PARALLELISM (go build -p, default: number of CPUs).
# Needs: go (>= the version the Kubernetes release asks for) and network access to the proxy.
set -euo pipefail

kube_version="${FIRMWARDEN_KUBE_VERSION:-v1.36.3}"
case "$kube_version" in v*) ;; *) kube_version="v$kube_version" ;; esac
cache_root="${FIRMWARDEN_CACHE:-$HOME/.cache/firmwarden}/kube"
dest="$cache_root/$kube_version"
bin="$dest/bin"
env_file="$cache_root/current.env"

write_env() {
  local tmp="$env_file.tmp.$$"
  {
    echo "FIRMWARDEN_KUBE_APISERVER=$bin/kube-apiserver"
    echo "FIRMWARDEN_ETCD=$bin/etcd"
    echo "FIRMWARDEN_KUBECTL=$bin/kubectl"
  } >"$tmp"
  mv "$tmp" "$env_file"
  cat "$env_file"
}

have_all() {
  [ -x "$bin/kube-apiserver" ] && [ -x "$bin/etcd" ] && [ -x "$bin/kubectl" ] && [ -f "$dest/versions.txt" ]
}

mkdir -p "$cache_root"
if have_all; then
  write_env
  exit 0
fi

command -v go >/dev/null 2>&1 || {
  echo "provision-kube: 'go' is not on PATH; install Go (>= 1.26 for Kubernetes $kube_version) and rerun" >&2
  exit 1
}
command -v flock >/dev/null 2>&1 && {
  # Two concurrent runs would build twice and race on the cache; the second waits for the first.
  exec 9>"$cache_root/.lock"
  flock 9
  if have_all; then write_env; exit 0; fi
}

started=$(date +%s)
work="$(mktemp -d "${TMPDIR:-/tmp}/firmwarden-kube-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log() { echo "provision-kube: $*" >&2; }

log "building Kubernetes $kube_version (kube-apiserver, kubectl) and etcd from the Go module proxy into $bin"
log "this takes a while the first time; later runs reuse the cache"

# The upstream go.mod lists its staging modules as `replace k8s.io/x => ./staging/...`.
upstream_mod="$(go mod download -json "k8s.io/kubernetes@$kube_version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
[ -f "$upstream_mod" ] || { log "could not fetch the go.mod of k8s.io/kubernetes@$kube_version"; exit 1; }
staging_modules="$(awk '/=> \.\/staging\//{print $1}' "$upstream_mod")"
[ -n "$staging_modules" ] || { log "no staging modules found in $upstream_mod"; exit 1; }
# Staging modules are published as v0.<minor>.<patch> for Kubernetes v1.<minor>.<patch>.
staging_version="v0.${kube_version#v1.}"
etcd_version="$(awk '$1=="go.etcd.io/etcd/server/v3"{print $2}' "$upstream_mod")"
[ -n "$etcd_version" ] || etcd_version="$(awk '$1=="go.etcd.io/etcd/client/v3"{print $2}' "$upstream_mod")"
[ -n "$etcd_version" ] || { log "could not find the etcd version in $upstream_mod"; exit 1; }
go_directive="$(awk '$1=="go"{print $2; exit}' "$upstream_mod")"

{
  echo "module firmwarden.local/kube-build"
  echo
  echo "go $go_directive"
  echo
  echo "require ("
  echo "	k8s.io/kubernetes $kube_version"
  echo "	go.etcd.io/etcd/server/v3 $etcd_version"
  echo ")"
  echo
  echo "replace ("
  # Only modules the build actually needs are resolved, so replacing one that was never
  # published (e.g. a sample module) is harmless.
  for m in $staging_modules; do echo "	$m => $m $staging_version"; done
  echo ")"
} >"$work/go.mod"
# A tools file makes `go mod tidy` resolve exactly what the three programs import.
cat >"$work/tools.go" <<'EOF'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOF

cd "$work"
export GOFLAGS="-mod=mod -buildvcs=false"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export CGO_ENABLED=0
t0=$(date +%s)
go mod tidy >"$work/tidy.log" 2>&1 || { cat "$work/tidy.log" >&2; log "go mod tidy failed"; exit 1; }
t1=$(date +%s)
log "resolved modules in $((t1 - t0)) s"

parallel="${FIRMWARDEN_KUBE_BUILD_PARALLELISM:-$(nproc 2>/dev/null || echo 2)}"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
minor="${kube_version#v1.}"; minor="${minor%%.*}"
version_flags=""
# Without these the binaries report v0.0.0-master; kubectl then warns about version skew.
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  version_flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

mkdir -p "$work/out"
for target in "kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver" \
              "kubectl k8s.io/kubernetes/cmd/kubectl" \
              "etcd go.etcd.io/etcd/server/v3"; do
  set -- $target
  s=$(date +%s)
  go build -p "$parallel" -trimpath -ldflags="-s -w $version_flags" -o "$work/out/$1" "$2"
  log "built $1 in $(( $(date +%s) - s )) s"
done

mkdir -p "$bin"
for b in kube-apiserver kubectl etcd; do
  mv -f "$work/out/$b" "$bin/$b.tmp.$$"
  mv -f "$bin/$b.tmp.$$" "$bin/$b"
done
{
  echo "kubernetes $kube_version"
  echo "staging $staging_version"
  echo "etcd $etcd_version"
  echo "go $(go env GOVERSION)"
  echo "built $build_date in $(( $(date +%s) - started )) s"
} >"$dest/versions.txt"
log "done in $(( $(date +%s) - started )) s: $(tr '\n' ';' <"$dest/versions.txt")"
write_env
