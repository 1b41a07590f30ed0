// Prints one closing line for all vitest JSON reports given: "tests: N passed, N failed, N skipped".
import { readFileSync } from 'node:fs'

let passed = 0
let failed = 0
let skipped = 0
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
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
