import { describe, expect, it } from 'vitest'
import { ManagerError } from './errors.js'
import { createHostCheck } from './host-policy.js'

const signal = new AbortController().signal

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    return `ok:${await promise}`
  } catch (error) {
    if (error instanceof ManagerError) return error.code
    throw error
  }
}

describe('createHostCheck', () => {
  const check = createHostCheck(['example.com', '*.example.net', 'bücher.example'])

  it('normalises uppercase, a trailing dot and unicode before asking the policy', async () => {
    expect(await check('EXAMPLE.com.', signal)).toBe('example.com')
    expect(await check('Bücher.Example', signal)).toBe('xn--bcher-kva.example')
    expect(await check('xn--bcher-kva.example', signal)).toBe('xn--bcher-kva.example')
  })

  it('a *. pattern matches exactly one more label', async () => {
    expect(await check('www.example.net', signal)).toBe('www.example.net')
    expect(await codeOf(check('example.net', signal))).toBe('ERR_MANAGER_HOST_NOT_ALLOWED')
    expect(await codeOf(check('a.b.example.net', signal))).toBe('ERR_MANAGER_HOST_NOT_ALLOWED')
  })

  it('rejects invalid names before the policy is asked', async () => {
    let asked = 0
    const counting = createHostCheck(() => {
      asked++
      return true
    })
    for (const bad of [
      '',
      '..',
      'a..b',
      '../x',
      'x/y',
      'a'.repeat(300),
      'a\0b.com',
      '127.0.0.1',
      '*.example.com',
    ]) {
      expect(await codeOf(counting(bad, signal))).toBe('ERR_MANAGER_INVALID_NAME')
    }
    expect(asked).toBe(0)
  })

  it('IPs pass only with allowIp', async () => {
    const ips = createHostCheck(['192.0.2.1'], { allowIp: true })
    expect(await ips('192.0.2.1', signal)).toBe('192.0.2.1')
  })

  it('a function policy sees the normalised name and may be async', async () => {
    const seen: string[] = []
    const fn = createHostCheck(async (name) => {
      seen.push(name)
      return name.endsWith('.test')
    })
    expect(await fn('A.TEST', signal)).toBe('a.test')
    expect(await codeOf(fn('a.example', signal))).toBe('ERR_MANAGER_HOST_NOT_ALLOWED')
    expect(seen).toEqual(['a.test', 'a.example'])
  })

  it('an invalid entry in the list is a configuration error', () => {
    expect(() => createHostCheck(['a..b'])).toThrow(
      expect.objectContaining({ code: 'ERR_MANAGER_INVALID_OPTION' }),
    )
  })

  it('with wildcard certificates (DNS-01), a pattern also allows its apex and passes as itself', async () => {
    const wild = createHostCheck(['example.com', '*.example.net', '*.Example.ORG'], {
      wildcardCertificates: true,
    })
    expect(await wild('example.net', signal)).toBe('example.net')
    expect(await wild('www.example.net', signal)).toBe('www.example.net')
    expect(await wild('*.example.net', signal)).toBe('*.example.net')
    expect(await wild('*.EXAMPLE.org.', signal)).toBe('*.example.org')
    expect(await codeOf(wild('*.example.com', signal))).toBe('ERR_MANAGER_INVALID_NAME')
    expect(await codeOf(wild('a.b.example.net', signal))).toBe('ERR_MANAGER_HOST_NOT_ALLOWED')
    expect(await codeOf(wild('net', signal))).toBe('ERR_MANAGER_HOST_NOT_ALLOWED')
    // Without DNS-01 a pattern matches one more label only, and is no name itself.
    expect(await codeOf(check('*.example.net', signal))).toBe('ERR_MANAGER_INVALID_NAME')
  })
})
