#!/usr/bin/env bash
# Installs what building and testing autotls needs on a fresh Debian machine, idempotently:
# system packages (Pebble, redis-server, openssl, curl, podman), pnpm, and the workspace's dependencies.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

PNPM_VERSION=12.21.0
SYSTEM_PACKAGES=(
  pebble redis-server openssl curl ca-certificates podman buildah runc
  # tools/bench (its smoke test runs in the suite): the Go seed, h2load, the no-resume shim
  golang-go golang-golang-x-crypto-dev golang-github-labstack-echo-dev nghttp2-client gcc libc6-dev
)

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
fi

if [[ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
fi

pnpm install --frozen-lockfile --reporter=append-only 2>&1 | tail -n 3
