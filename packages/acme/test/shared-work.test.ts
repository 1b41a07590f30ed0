import { generateKeyPair } from '@autotls/crypto'
import { describe, expect, it } from 'vitest'
import { AcmeClient, type AcmeError } from '../src/index.js'
import { fakeAcme, withAccount } from './fake-acme.js'

/** A fetch that holds requests to paths in `held` until `release()`, honouring each signal. */
function gated(inner: typeof fetch, held: readonly string[]) {
  let release = (): void => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const fetch = (async (input: string, init?: RequestInit) => {
    if (held.some((p) => new URL(input).pathname === p)) {
      await new Promise<void>((resolve, reject) => {
        const signal = init?.signal
        if (signal?.aborted) return reject(signal.reason)
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
        gate.then(resolve)
      })
    }
    return inner(input, init)
  }) as typeof globalThis.fetch
  return { fetch, release: () => release() }
}

describe('shared work runs under the client lifetime (issue 12 item 1)', () => {
  it('a first caller aborting the directory load does not fail a concurrent second caller', async () => {
    const fake = fakeAcme()
    const { fetch, release } = gated(fake.fetch, ['/dir'])
    const client = new AcmeClient({
      directoryUrl: fake.directoryUrl,
      accountKey: await generateKeyPair(),
      fetch,
    })
    const first = new AbortController()
    const a = client.directory({ signal: first.signal })
    const b = client.directory()
    first.abort(new Error('the first caller gave up'))
    expect(((await a.catch((e: unknown) => e)) as AcmeError).code).toBe('ERR_ACME_ABORTED')
    release()
    expect((await b).newOrder).toBe(`${fake.base}/new-order`)
    expect(fake.requests.filter((r) => r.path === '/dir')).toHaveLength(1)
  })

  it('a first caller aborting the account lookup does not fail a concurrent second caller', async () => {
    const fake = fakeAcme()
    withAccount(fake)
    const { fetch, release } = gated(fake.fetch, ['/new-account'])
    const client = new AcmeClient({
      directoryUrl: fake.directoryUrl,
      accountKey: await generateKeyPair(),
      fetch,
    })
    const first = new AbortController()
    const a = client.createAccount({ termsOfServiceAgreed: true, signal: first.signal })
    const b = client.createAccount({ termsOfServiceAgreed: true })
    // Let both reach the held newAccount request, then abort the first.
    while (fake.requests.length === 0 || fake.newNonces() === 0)
      await new Promise((r) => setImmediate(r))
    first.abort(new Error('the first caller gave up'))
    expect(((await a.catch((e: unknown) => e)) as AcmeError).code).toBe('ERR_ACME_ABORTED')
    release()
    expect((await b).url).toBe(`${fake.base}/acct/1`)
    // One newAccount POST for both callers (single flight).
    expect(fake.requests.filter((r) => r.path === '/new-account')).toHaveLength(1)
  })

  it('issue 19 §5: one fresh client, 20 parallel account lookups send one newAccount', async () => {
    const fake = fakeAcme()
    withAccount(fake)
    const client = new AcmeClient({
      directoryUrl: fake.directoryUrl,
      accountKey: await generateKeyPair(),
      fetch: fake.fetch,
    })
    const accounts = await Promise.all(
      Array.from({ length: 20 }, () => client.createAccount({ termsOfServiceAgreed: true })),
    )
    expect(new Set(accounts.map((a) => a.url)).size).toBe(1)
    expect(fake.requests.filter((r) => r.path === '/new-account')).toHaveLength(1)
  })
})
