#!/usr/bin/env bash
# Installs what autotls needs on a fresh Debian machine, idempotently.
#
#   setup.sh          what the hello server needs: pnpm, Pebble (the local test CA), openssl, curl
#   setup.sh --test   everything the tests need besides: redis-server, podman, the DNS servers, and
#                     the benchmark toolchain (the Go seed, h2load, a C compiler for the shim)
#
# Pebble: with a Go >= 1.24 on the PATH, Let's Encrypt's current Pebble is installed with
# `go install` (ARI, profiles, Retry-After); otherwise Debian's pebble package (2.4.0) is used, and
# the tests that need the newer CA report themselves skipped with this command as the fix.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

PNPM_VERSION=12.21.0
PEBBLE_MODULE_VERSION=v2.10.1
mode="${1:-hello}"
[[ "$mode" == "--test" || "$mode" == "hello" ]] || {
  echo "setup: unknown argument '$mode' (use --test, or nothing)" >&2
  exit 2
}

# Debian's golang-go (1.19) lands in /usr/bin: keep a newer Go from /usr/local/go first on the PATH.
if [[ -x /usr/local/go/bin/go ]]; then
  export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
fi
go_minor() { go version 2>/dev/null | sed -nE 's/.*go1\.([0-9]+).*/\1/p'; }
have_new_go=false
[[ "$(go_minor)" =~ ^[0-9]+$ ]] && (($(go_minor) >= 24)) && have_new_go=true

SYSTEM_PACKAGES=(openssl curl ca-certificates)
$have_new_go || SYSTEM_PACKAGES+=(pebble)
if [[ "$mode" == "--test" ]]; then
  SYSTEM_PACKAGES+=(
    redis-server podman buildah runc
    # DNS-01: real authoritative servers, a recursive resolver, and their clients
    bind9 bind9-dnsutils knot knot-dnsutils pdns-server pdns-backend-sqlite3 sqlite3 unbound
    # tools/bench (its smoke test runs in the suite): h2load and the no-resume shim
    nghttp2-client gcc libc6-dev
  )
  # The Go seed builds in module mode when the Go above is as new as its go.mod asks; otherwise
  # from Debian's Go and sources.
  seed_minor="$(sed -nE 's/^go 1\.([0-9]+).*/\1/p' tools/bench/go-seed/go.mod)"
  if ! $have_new_go || (($(go_minor) < seed_minor)); then
    SYSTEM_PACKAGES+=(golang-go golang-golang-x-crypto-dev golang-github-labstack-echo-dev)
  fi
fi

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) == 0 ]] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The DNS servers' packages start system services on their default ports; the tests start
  # their own on free loopback ports, so stop these.
  for svc in named bind9 knot pdns unbound; do
    $sudo systemctl stop "$svc" >/dev/null 2>&1 || true
    $sudo service "$svc" stop >/dev/null 2>&1 || true
  done
fi

if $have_new_go; then
  gobin="$(go env GOPATH)/bin"
  # `pebble -version` prints "dev" for a module install: read the module version from the binary.
  if ! go version -m "$gobin/pebble" 2>/dev/null | grep -q "pebble/v2[[:space:]]*$PEBBLE_MODULE_VERSION"; then
    echo "setup: installing Pebble $PEBBLE_MODULE_VERSION with $(go version | cut -d' ' -f3)"
    go install "github.com/letsencrypt/pebble/v2/cmd/pebble@$PEBBLE_MODULE_VERSION" \
      "github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@$PEBBLE_MODULE_VERSION"
  fi
fi

if [[ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
fi

pnpm install --frozen-lockfile --reporter=append-only 2>&1 | tail -n 3
