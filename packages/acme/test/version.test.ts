import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { DEFAULT_USER_AGENT, VERSION } from '../src/index.js'

describe('version', () => {
  it('is the version in package.json (written in by the build)', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))
    expect(VERSION).toBe(pkg.version)
  })

  it('rfc8555 §6.1: the default User-Agent names the package, its version and the runtime', () => {
    expect(DEFAULT_USER_AGENT.startsWith(`autotls-acme/${VERSION} `)).toBe(true)
    expect(DEFAULT_USER_AGENT.endsWith(` node/${process.version}`)).toBe(true)
  })
})
