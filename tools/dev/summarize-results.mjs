// Prints one closing line for all vitest JSON reports given: "tests: N passed, N failed, N skipped",
// followed, when tests were skipped, by how many were skipped for each reason, e.g.
// "(10: needs Pebble >= 2.8.0 (ari); found …; install: go install …)". A test gives its reason in
// meta.skipReason (tools/pebble's `requires()` does); others count as "no reason given".
import { readFileSync } from 'node:fs'

let passed = 0
let failed = 0
let skipped = 0
const reasons = new Map()
for (const file of process.argv.slice(2)) {
  let report
  try {
    report = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    console.error(`summarize: no readable report at ${file}`)
    failed += 1
    continue
  }
  passed += report.numPassedTests
  failed += report.numFailedTests
  // A file that failed to load fails no test but fails the run: count it.
  if (!report.success && report.numFailedTests === 0) failed += 1
  skipped += report.numPendingTests + report.numTodoTests
  for (const result of report.testResults ?? []) {
    for (const test of result.assertionResults ?? []) {
      if (!['skipped', 'pending', 'todo'].includes(test.status)) continue
      const reason = test.meta?.skipReason ?? 'no reason given'
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
    }
  }
}
const why = [...reasons].map(([reason, count]) => `${count}: ${reason}`).join('; ')
console.log(
  `tests: ${passed} passed, ${failed} failed, ${skipped} skipped${why ? ` (${why})` : ''}`,
)
