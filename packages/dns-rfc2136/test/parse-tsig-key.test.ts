import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { parseTsigKey } from '../src/index.js'

const run = promisify(execFile)

describe('parseTsigKey', () => {
  it("reads BIND's tsig-keygen output", async () => {
    const { stdout } = await run('tsig-keygen', ['-a', 'hmac-sha256', 'acme-update'])
    const secret = /secret "([^"]+)"/.exec(stdout)?.[1]
    expect(parseTsigKey(stdout)).toEqual({ name: 'acme-update', algorithm: 'hmac-sha256', secret })
  })

  it("reads Knot's keymgr -t output", async () => {
    const { stdout } = await run('keymgr', ['-t', 'acme-update', 'hmac-sha256'])
    const secret = /secret: (\S+)/.exec(stdout)?.[1]
    expect(parseTsigKey(stdout)).toEqual({ name: 'acme-update', algorithm: 'hmac-sha256', secret })
  })

  it('reads an algorithm:name:secret triple', () => {
    expect(parseTsigKey('hmac-sha256:k1:c2VjcmV0\n')).toEqual({
      name: 'k1',
      algorithm: 'hmac-sha256',
      secret: 'c2VjcmV0',
    })
  })

  it('refuses other algorithms and text without a key, saying what to give', () => {
    expect(() => parseTsigKey('hmac-md5:k1:c2VjcmV0')).toThrow(/only hmac-sha256/)
    expect(() => parseTsigKey('hello')).toThrow(
      expect.objectContaining({ code: 'ERR_DNS_INVALID_ARGUMENT' }),
    )
  })
})
