#!/usr/bin/env bash
# Installs what the test suites need beyond npm packages, caching what it builds:
# git, openssl and chromium from Debian when missing, and (through scripts/provision-kube.sh, when it
# exists) a real kube-apiserver, etcd and kubectl built from the Go module proxy, and
# (scripts/provision-promtool.sh) Prometheus' promtool, built the same way, and the Prometheus
# Operator's CRDs generated from its Go API types (scripts/provision-monitoring-crds.sh).
# Idempotent and quiet when everything is already there. Runs as `npm test`'s pretest step.
set -euo pipefail
cd "$(dirname "$0")/.."

# tool:Debian package — git for the sources, openssl for the test PKI, gpg and ssh-keygen for
# the signed-commit tests, chromium for the live view's browser test (headless, driven over the
# DevTools protocol; nothing is downloaded at test time), zsh for the completion script's test.
missing=()
for pair in git:git openssl:openssl gpg:gnupg ssh-keygen:openssh-client chromium:chromium zsh:zsh; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "provision: installing ${missing[*]} from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "provision: please install ${missing[*]} (needed by the tests)" >&2
    exit 1
  fi
fi

if [ -x scripts/provision-kube.sh ] && [ "${FIRMWARDEN_SKIP_KUBE_PROVISION:-}" != 1 ]; then
  scripts/provision-kube.sh
fi

# promtool (Prometheus' rule checker) for the monitoring tests, built from the Go module proxy
# and cached the same way (scripts/provision-promtool.sh).
if [ -x scripts/provision-promtool.sh ] && [ "${FIRMWARDEN_SKIP_PROMTOOL_PROVISION:-}" != 1 ]; then
  scripts/provision-promtool.sh
fi

# The Prometheus Operator's PrometheusRule and ServiceMonitor CRDs for the Kubernetes test of
# examples/deploy/monitoring, generated from the operator's Go API types
# (scripts/provision-monitoring-crds.sh); skipped with the other Kubernetes provisioning.
if [ -x scripts/provision-monitoring-crds.sh ] && [ "${FIRMWARDEN_SKIP_KUBE_PROVISION:-}" != 1 ]; then
  scripts/provision-monitoring-crds.sh
fi
