#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine: installs what is missing, builds, tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$root/tools/dev/setup.sh" --test
cd "$root"

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0

pnpm build
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$results/node20.json" \
  || status=$?

# The container image runs Node 24 while this machine has Node 20: run the packages' suites on
# Node 24 too (the container test above already runs the app itself on Node 24).
node24="$(bash "$root/tools/dev/node24.sh")"
echo "test: the packages again, on Node $("$node24" --version)"
"$node24" node_modules/vitest/vitest.mjs run \
  --project crypto --project acme --project cache --project cache-dir --project cache-redis \
  --project manager --reporter=default --reporter=json --outputFile.json="$results/node24.json" \
  || status=$?

node "$root/tools/dev/summarize-results.mjs" "$results"/*.json
exit "$status"
