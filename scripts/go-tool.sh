# Sourced by scripts/provision-promtool.sh and scripts/provision-kubeconform.sh: builds one Go
# command from the Go module proxy into the cache, once, and records where it is.
#
#   provision_go_tool NAME MODULE_PATH VERSION ENV_LINES
#
# Caches ${FIRMWARDEN_CACHE:-$HOME/.cache/firmwarden}/NAME/VERSION/bin/NAME (idempotent and quiet
# when it is there), writes NAME/current.env from ENV_LINES (with $bin expanded by the caller's
# function `env_lines BIN`) and prints it. Two runs at once build once: the second waits on a lock.

provision_go_tool() {
  local name="$1" module="$2" version="$3"
  local cache_root="${FIRMWARDEN_CACHE:-$HOME/.cache/firmwarden}/$name"
  local bin="$cache_root/$version/bin"
  local env_file="$cache_root/current.env"

  _write_env() {
    local tmp="$env_file.tmp.$$"
    env_lines "$bin" >"$tmp"
    mv "$tmp" "$env_file"
    cat "$env_file"
  }

  mkdir -p "$cache_root"
  if [ -x "$bin/$name" ]; then _write_env; return 0; fi
  command -v go >/dev/null 2>&1 || {
    echo "provision-$name: 'go' is not on PATH; install Go and rerun" >&2
    return 1
  }
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache_root/.lock"
    flock 9
    if [ -x "$bin/$name" ]; then _write_env; return 0; fi
  fi

  local started work
  started=$(date +%s)
  echo "provision-$name: building $name $version from the Go module proxy into $bin (minutes the first time)" >&2
  work="$(mktemp -d "${TMPDIR:-/tmp}/firmwarden-$name.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT
  # `go install pkg@version` builds in module mode with the module's own go.mod, outside any
  # module; -mod=mod keeps a GOFLAGS=-mod=vendor in the caller's environment from breaking it.
  (cd "$work" && GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0 GOBIN="$work" GOFLAGS="-mod=mod -buildvcs=false" \
    go install -trimpath -ldflags='-s -w' "$module@$version") >"$work/build.log" 2>&1 || {
    tail -40 "$work/build.log" >&2
    echo "provision-$name: building $name $version failed" >&2
    return 1
  }
  mkdir -p "$bin"
  mv -f "$work/$name" "$bin/$name.tmp.$$"
  mv -f "$bin/$name.tmp.$$" "$bin/$name"
  echo "provision-$name: built in $(( $(date +%s) - started )) s" >&2
  _write_env
}
