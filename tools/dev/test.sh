#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine: installs what is missing, builds, tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$root/tools/dev/setup.sh"
cd "$root"
pnpm test
