import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll } from 'vitest'

const run = promisify(execFile)

/** Runs the openssl CLI and resolves its stdout; rejects with stderr on a non-zero exit. */
export async function openssl(...args: string[]): Promise<string> {
  const { stdout } = await run('openssl', args, { encoding: 'utf8' })
  return stdout
}

/** A private temp directory for this test file, removed after its tests. */
export async function workDir(): Promise<{
  path: (name: string) => string
  write: (name: string, text: string | Uint8Array) => Promise<string>
  read: (name: string) => Promise<string>
}> {
  const dir = await mkdtemp(join(tmpdir(), 'autotls-crypto-'))
  afterAll(() => rm(dir, { recursive: true, force: true }))
  const path = (name: string): string => join(dir, name)
  return {
    path,
    write: async (name, text) => {
      await writeFile(path(name), text, { mode: 0o600 })
      return path(name)
    },
    read: (name) => readFile(path(name), 'utf8'),
  }
}
