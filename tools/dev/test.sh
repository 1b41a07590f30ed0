#!/usr/bin/env bash
# Runs every check of the workspace on a fresh machine: installs what is missing, then lint, build,
# typecheck (tests included), every vitest project on Node 20 (the consumer test in tools/consumer
# among them), the packages again on Node 24, and publint + attw on every published package.
# Ends with one line: "tests: N passed, N failed, N skipped"; each non-vitest check counts as one test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$root/tools/dev/setup.sh" --test
cd "$root"

results="$(mktemp -d)"
packs="$(mktemp -d)"
trap 'rm -rf "$results" "$packs"' EXIT
status=0

# Runs one check (a command) and records it as a one-test report the summary counts.
check() {
  local name="$1"
  shift
  echo "test: $name"
  local ok=true start=$SECONDS
  "$@" || ok=false
  [[ "$ok" == true ]] || status=1
  echo "test: $name: $([[ "$ok" == true ]] && echo passed || echo FAILED) in $((SECONDS - start)) s"
  node -e 'const ok = process.argv[1] === "true"
    console.log(JSON.stringify({ success: ok, numPassedTests: ok ? 1 : 0, numFailedTests: ok ? 0 : 1,
      numPendingTests: 0, numTodoTests: 0 }))' "$ok" >"$results/check-${name//[^a-zA-Z0-9]/_}.json"
}

check lint pnpm lint
check build pnpm build
check typecheck pnpm typecheck

start=$SECONDS
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$results/node20.json" \
  || status=$?
echo "test: every project on Node 20 in $((SECONDS - start)) s"

# The container image runs Node 24 while this machine has Node 20: run the packages' suites on
# Node 24 too. vitest.packages.config.ts lists them as the glob packages/*, so a new package is
# included without editing this script.
node24="$(bash "$root/tools/dev/node24.sh")"
echo "test: the packages again, on Node $("$node24" --version)"
start=$SECONDS
"$node24" node_modules/vitest/vitest.mjs run --config vitest.packages.config.ts \
  --reporter=default --reporter=json --outputFile.json="$results/node24.json" || status=$?
echo "test: the packages on Node 24 in $((SECONDS - start)) s"

# What npm users get: each published package's tarball, as pnpm packs it (workspace: ranges
# replaced), checked by publint and by attw (ESM only: require(esm) serves CommonJS callers).
for dir in packages/*/; do
  [[ "$(node -p "require('./${dir}package.json').private === true")" == false ]] || continue
  name="$(basename "$dir")"
  if ! tarball="$(cd "$dir" && pnpm pack --pack-destination "$packs" | tail -n 1)"; then
    check "pack $name" false
    continue
  fi
  check "publint $name" pnpm exec publint --strict "$tarball"
  check "attw $name" pnpm exec attw --profile esm-only --format table-flipped "$tarball"
done

echo "test: everything in $SECONDS s"
node "$root/tools/dev/summarize-results.mjs" "$results"/*.json
exit "$status"
