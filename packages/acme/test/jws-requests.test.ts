import { generateKeyPair } from '@autotls/crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { AcmeClient, DEFAULT_USER_AGENT } from '../src/index.js'
import { type ScriptedServer, startScriptedServer } from './scripted-acme-server.js'

const servers: ScriptedServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setup(keyType: 'ec-p256' | 'ec-p384' | 'rsa-2048' = 'ec-p256') {
  const server = await startScriptedServer()
  servers.push(server)
  const client = new AcmeClient({
    directoryUrl: server.directoryUrl,
    accountKey: await generateKeyPair(keyType),
  })
  return { server, client }
}

describe('requests as RFC 8555 §6 asks', () => {
  it('rfc8555 §6.2: newAccount carries jwk; later requests carry kid = the account URL, never both', async () => {
    const { server, client } = await setup()
    const account = await client.createAccount({ termsOfServiceAgreed: true })
    await client.newOrder({ identifiers: [{ type: 'dns', value: 'a.example' }] })
    const [first, second] = server.requests
    expect(first?.protectedHeader).toHaveProperty('jwk')
    expect(first?.protectedHeader).not.toHaveProperty('kid')
    expect(Object.keys((first?.protectedHeader?.jwk ?? {}) as object).sort()).toEqual([
      'crv',
      'kty',
      'x',
      'y',
    ])
    expect(second?.protectedHeader?.kid).toBe(account.url)
    expect(second?.protectedHeader).not.toHaveProperty('jwk')
  })

  it('rfc8555 §6.2: the protected header holds alg, nonce and the exact url; Content-Type is application/jose+json', async () => {
    const { server, client } = await setup('ec-p384')
    await client.createAccount({ termsOfServiceAgreed: true })
    const request = server.requests[0]
    expect(request?.headers['content-type']).toBe('application/jose+json')
    expect(request?.protectedHeader?.alg).toBe('ES384')
    expect(request?.protectedHeader?.url).toBe(`${server.base}/new-account`)
    expect(typeof request?.protectedHeader?.nonce).toBe('string')
  })

  it('rfc8555 §6.2: RSA account keys sign with RS256', async () => {
    const { server, client } = await setup('rsa-2048')
    await client.createAccount({ termsOfServiceAgreed: true })
    expect(server.requests[0]?.protectedHeader?.alg).toBe('RS256')
  })

  it('rfc8555 §6.3: POST-as-GET sends an empty payload', async () => {
    const { server, client } = await setup()
    await client.createAccount({ termsOfServiceAgreed: true })
    const order = await client.newOrder({ identifiers: [{ type: 'dns', value: 'a.example' }] })
    await client.getOrder(order.url)
    const get = server.requests.find((r) => r.path.startsWith('/order/'))
    expect(get?.payload).toBeUndefined()
  })

  it('rfc8555 §6.1: sends a User-Agent naming the package and version', async () => {
    const { server, client } = await setup()
    await client.createAccount({ termsOfServiceAgreed: true })
    expect(server.requests[0]?.headers['user-agent']).toBe(DEFAULT_USER_AGENT)
    expect(DEFAULT_USER_AGENT).toMatch(/^autotls-acme\/\d+\.\d+\.\d+ /)
  })

  it('rfc8555 §6.5: asks newNonce only when the pool is empty, then lives on Replay-Nonce', async () => {
    const { server, client } = await setup()
    await client.createAccount({ termsOfServiceAgreed: true })
    for (let i = 0; i < 5; i++)
      await client.newOrder({ identifiers: [{ type: 'dns', value: `${i}.example` }] })
    expect(server.newNonceRequests()).toBe(1)
  })

  it('rfc8555 §7.1.1: fetches the directory once', async () => {
    const { server, client } = await setup()
    let fetched = 0
    const original = server.directoryUrl
    server.override(
      '/dir',
      (_req, res) => {
        fetched++
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            newNonce: `${server.base}/new-nonce`,
            newAccount: `${server.base}/new-account`,
            newOrder: `${server.base}/new-order`,
            revokeCert: `${server.base}/revoke-cert`,
            keyChange: `${server.base}/key-change`,
            meta: { termsOfService: `${server.base}/terms`, caaIdentities: ['ca.example'] },
          }),
        )
      },
      10,
    )
    const [a, b] = await Promise.all([client.directory(), client.directory()])
    await client.directory()
    expect(a).toBe(b)
    expect(a.meta.caaIdentities).toEqual(['ca.example'])
    expect(fetched).toBe(1)
    expect(original).toContain('/dir')
  })
})
