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
env_lines() { echo "FIRMWARDEN_PROMTOOL=$1/promtool"; }
. "$(dirname "$0")/go-tool.sh"
provision_go_tool promtool github.com/prometheus/prometheus/cmd/promtool "$version"
