#!/usr/bin/env bash
# Quick start: runs apps/hello against a local Pebble CA (the embedded default), makes one verified
# HTTPS request, then keeps serving until Ctrl-C. Installs what it needs on a fresh machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$root/tools/dev/setup.sh"
cd "$root"
pnpm --silent build >/dev/null
exec node --conditions=@autotls/source --import tsx tools/dev/quickstart.ts "$@"
