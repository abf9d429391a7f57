#!/usr/bin/env bash
# Provides Prometheus' promtool for the monitoring tests (test/deploy/monitoring.test.ts): it
# checks examples/deploy/monitoring's alerting rules with Prometheus' own parser and runs the
# rules' unit tests. Built from the Go module proxy (github.com/prometheus/prometheus is
# published there as v0.3XX.Y for Prometheus v3.XX.Y), never downloaded as a release binary.
#
# Cached in ${FIRMWARDEN_CACHE:-$HOME/.cache/firmwarden}/promtool/VERSION/bin/promtool and
# reused; idempotent and quiet when it is there. Writes ${FIRMWARDEN_CACHE}/promtool/current.env
# (FIRMWARDEN_PROMTOOL=…), which the test reads, and prints the same line.
#
# Environment: FIRMWARDEN_PROMTOOL_VERSION (default below), FIRMWARDEN_CACHE.
# Needs: go and network access to the proxy. The first build takes minutes (most of it
# fetching modules); later runs reuse the cache.
set -euo pipefail

version="${FIRMWARDEN_PROMTOOL_VERSION:-v0.316.0}"
cache_root="${FIRMWARDEN_CACHE:-$HOME/.cache/firmwarden}/promtool"
bin="$cache_root/$version/bin"
env_file="$cache_root/current.env"

write_env() {
  local tmp="$env_file.tmp.$$"
  echo "FIRMWARDEN_PROMTOOL=$bin/promtool" >"$tmp"
  mv "$tmp" "$env_file"
  cat "$env_file"
}

mkdir -p "$cache_root"
if [ -x "$bin/promtool" ]; then write_env; exit 0; fi

command -v go >/dev/null 2>&1 || {
  echo "provision-promtool: 'go' is not on PATH; install Go and rerun" >&2
  exit 1
}
command -v flock >/dev/null 2>&1 && {
  # Two concurrent runs would build twice; the second waits for the first.
  exec 9>"$cache_root/.lock"
  flock 9
  if [ -x "$bin/promtool" ]; then write_env; exit 0; fi
}

started=$(date +%s)
echo "provision-promtool: building promtool $version from the Go module proxy into $bin (minutes the first time)" >&2
work="$(mktemp -d "${TMPDIR:-/tmp}/firmwarden-promtool.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# go install pkg@version builds in module mode with the module's own go.mod, outside any module.
(cd "$work" && GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0 GOBIN="$work" GOFLAGS=-buildvcs=false \
  go install -trimpath -ldflags='-s -w' "github.com/prometheus/prometheus/cmd/promtool@$version") >"$work/build.log" 2>&1 || {
  tail -40 "$work/build.log" >&2
  echo "provision-promtool: building promtool $version failed" >&2
  exit 1
}
mkdir -p "$bin"
mv -f "$work/promtool" "$bin/promtool.tmp.$$"
mv -f "$bin/promtool.tmp.$$" "$bin/promtool"
echo "provision-promtool: built in $(( $(date +%s) - started )) s" >&2
write_env
