import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const script = fileURLToPath(new URL('../summarize-results.mjs', import.meta.url))

it('the closing line counts skipped tests by the reason each gave', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'summarize-'))
  try {
    const test = (status: string, skipReason?: string) => ({
      status,
      meta: skipReason ? { skipReason } : {},
    })
    const report = {
      success: true,
      numPassedTests: 2,
      numFailedTests: 0,
      numPendingTests: 3,
      numTodoTests: 0,
      testResults: [
        {
          assertionResults: [
            test('passed'),
            test('skipped', 'needs Pebble >= 2.8.0 (ari)'),
            test('skipped', 'needs Pebble >= 2.8.0 (ari)'),
          ],
        },
        { assertionResults: [test('passed'), test('skipped')] },
      ],
    }
    // A check recorded by tools/dev/test.sh has no per-test results.
    const check = { success: true, numPassedTests: 1, numFailedTests: 0, numPendingTests: 0 }
    await writeFile(join(dir, 'a.json'), JSON.stringify(report))
    await writeFile(join(dir, 'b.json'), JSON.stringify({ ...check, numTodoTests: 0 }))
    const { stdout } = await run(process.execPath, [
      script,
      join(dir, 'a.json'),
      join(dir, 'b.json'),
    ])
    expect(stdout).toBe(
      'tests: 3 passed, 0 failed, 3 skipped (2: needs Pebble >= 2.8.0 (ari); 1: no reason given)\n',
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
