import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

describe('Deadline', () => {
  it('fires at its time even when garbage is collected meanwhile (Node 20 drops AbortSignal.any of a timeout)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--expose-gc',
        '--conditions=@autotls/source',
        '--import',
        'tsx',
        'test/fixtures/deadline-under-gc.ts',
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 20_000 },
    )
    expect(stdout.trim()).toBe('aborted')
  }, 30_000)
})
