import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

/** Runs a TypeScript fixture in a fresh Node process, resolving workspace sources. */
async function runFixture(name: string): Promise<{ ok: boolean; output: string }> {
  const file = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
  try {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=@autotls/source', '--import', 'tsx', file],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' },
    )
    return { ok: true, output: stdout }
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    return { ok: false, output: stdout + stderr }
  }
}

describe('reflect-metadata ordering', () => {
  it('a program that imports only @autotls/crypto can create certificates and CSRs', async () => {
    const result = await runFixture('import-package-only.ts')
    expect(result.output).toBe('OK example.com\n')
    expect(result.ok).toBe(true)
  })

  it('control: @peculiar/x509 alone, without the polyfill, fails to load', async () => {
    const result = await runFixture('import-x509-only.ts')
    expect(result.ok).toBe(false)
    expect(result.output).toMatch(/reflect polyfill/)
  })
})
