import { generateKeyPair } from '@autotls/crypto'
import { describe, expect, it } from 'vitest'
import {
  AcmeClient,
  type AcmeError,
  AUTHORIZATION_POLLS,
  ORDER_POLLS,
  PollWaker,
  WAKE_QUIET_MS,
} from '../src/index.js'
import { type FakeAcme, fakeAcme, orderBody, problem, withAccount } from './fake-acme.js'
import { fakeClock } from './fake-clock.js'

async function setup(
  fake: FakeAcme,
  extra: { now?: () => number; sleep?: (ms: number, signal?: AbortSignal) => Promise<void> } = {},
) {
  withAccount(fake)
  return new AcmeClient({
    directoryUrl: fake.directoryUrl,
    accountKey: await generateKeyPair(),
    accountUrl: `${fake.base}/acct/1`,
    fetch: fake.fetch,
    random: () => 0.5,
    ...extra,
  })
}

/** newOrder answers with an order for whatever identifiers were asked. */
function echoOrders(fake: FakeAcme): void {
  let id = 0
  fake.route('/new-order', (r) => {
    const body = r.payload as { identifiers: { type: string; value: string }[] }
    id++
    return {
      status: 201,
      headers: { location: `${fake.base}/order/${id}` },
      body: orderBody(fake.base, id, body.identifiers),
    }
  })
}

describe('identifiers are sent in canonical form (issue 19 §5)', () => {
  it('rfc5952 / rfc8555 §7.1.4: IPv6 compressed in lower case, DNS names in lower case', async () => {
    const fake = fakeAcme()
    echoOrders(fake)
    const client = await setup(fake)
    const order = await client.newOrder({
      identifiers: [
        { type: 'ip', value: '2001:DB8:0:0:0:0:0:1' },
        { type: 'dns', value: 'WWW.Example.com' },
      ],
    })
    const sent = fake.requests.find((r) => r.path === '/new-order')?.payload
    expect(sent).toEqual({
      identifiers: [
        { type: 'ip', value: '2001:db8::1' },
        { type: 'dns', value: 'www.example.com' },
      ],
    })
    expect(order.identifiers).toHaveLength(2)
  })
})

describe('newOrder with `replaces` refused for it is retried once without (issue 19 §6)', () => {
  const refusals = [
    ['alreadyReplaced', problem(409, 'alreadyReplaced', 'already replaced')],
    ['404 unknown certificate', problem(404, 'malformed', 'no such certificate')],
    [
      '403 another account',
      problem(
        403,
        'unauthorized',
        'requester account did not request the certificate being replaced',
      ),
    ],
    [
      'malformed about replaces',
      problem(
        400,
        'malformed',
        'the certificate being replaced shares no identifiers with this order (replaces)',
      ),
    ],
  ] as const
  for (const [what, refusal] of refusals) {
    it(`rfc9773 §5: ${what}`, async () => {
      const fake = fakeAcme({ directory: { renewalInfo: 'https://fake.test/renewal-info' } })
      let calls = 0
      fake.route('/new-order', (r) => {
        calls++
        if ((r.payload as { replaces?: string }).replaces !== undefined) return refusal
        return {
          status: 201,
          headers: { location: `${fake.base}/order/1` },
          body: orderBody(fake.base, 1, [{ type: 'dns', value: 'a.example' }]),
        }
      })
      const client = await setup(fake)
      const order = await client.newOrder({
        identifiers: [{ type: 'dns', value: 'a.example' }],
        replaces: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE',
      })
      expect(order.url).toBe(`${fake.base}/order/1`)
      expect(calls).toBe(2)
      const orders = fake.requests.filter((r) => r.path === '/new-order')
      expect(orders.map((r) => 'replaces' in (r.payload as object))).toEqual([true, false])
    })
  }

  it('a refusal that is not about replaces is not retried', async () => {
    const fake = fakeAcme({ directory: { renewalInfo: 'https://fake.test/renewal-info' } })
    fake.route('/new-order', () => problem(400, 'rejectedIdentifier', 'policy forbids a.example'))
    const client = await setup(fake)
    const error = (await client
      .newOrder({ identifiers: [{ type: 'dns', value: 'a.example' }], replaces: 'x.y' })
      .catch((e: unknown) => e)) as AcmeError
    expect(error.code).toBe('ERR_ACME_PROBLEM')
    expect(fake.requests.filter((r) => r.path === '/new-order')).toHaveLength(1)
  })
})

/** Finalizes order 1 of `fake` from a `ready` order object, as issueCertificate would. */
function finalizeReady(
  client: AcmeClient,
  fake: ReturnType<typeof fakeAcme>,
  ids: { type: string; value: string }[],
): ReturnType<AcmeClient['finalizeOrder']> {
  const ready = { ...orderBody(fake.base, 1, ids, 'ready'), url: `${fake.base}/order/1` }
  return client.finalizeOrder(
    ready as unknown as Parameters<AcmeClient['finalizeOrder']>[0],
    new Uint8Array([1, 2, 3]),
  )
}

describe('polling (issue 19 §4, §5)', () => {
  it("rfc8555 §7.4: finalize's Retry-After is the wait before the first order poll", async () => {
    const fake = fakeAcme()
    const clock = fakeClock()
    const ids = [{ type: 'dns', value: 'a.example' }]
    fake.route('/finalize/1', () => ({
      headers: { 'retry-after': '3' },
      body: orderBody(fake.base, 1, ids, 'processing'),
    }))
    fake.route('/order/1', () => ({ body: orderBody(fake.base, 1, ids, 'valid') }))
    const client = await setup(fake, clock)
    const finalized = await finalizeReady(client, fake, ids)
    expect(finalized.status).toBe('processing')
    const valid = await client.waitForOrder(finalized)
    expect(valid.status).toBe('valid')
    expect(clock.sleeps).toEqual([3000])
  })

  it('rfc8555 §8.2: Retry-After: 0 on a processing order is honoured, but two polls stay 20 ms apart', async () => {
    const fake = fakeAcme()
    const clock = fakeClock()
    const ids = [{ type: 'dns', value: 'a.example' }]
    fake.route('/finalize/1', () => ({
      headers: { 'retry-after': '0' },
      body: orderBody(fake.base, 1, ids, 'processing'),
    }))
    let polls = 0
    fake.route('/order/1', () => ({
      headers: { 'retry-after': '0' },
      body: orderBody(fake.base, 1, ids, ++polls < 4 ? 'processing' : 'valid'),
    }))
    const client = await setup(fake, clock)
    const finalized = await finalizeReady(client, fake, ids)
    await client.waitForOrder(finalized)
    expect(clock.sleeps).toEqual([0, 20, 20, 20])
  })

  it('without Retry-After: order polls follow the schedule from about 5 ms, authorization polls from about 1 s', async () => {
    const fake = fakeAcme()
    const clock = fakeClock()
    const ids = [{ type: 'dns', value: 'a.example' }]
    let orderPolls = 0
    fake.route('/order/1', () => ({
      body: orderBody(fake.base, 1, ids, ++orderPolls < 3 ? 'processing' : 'valid'),
    }))
    let authzPolls = 0
    fake.route('/authz/1-0', () => ({
      body: {
        identifier: ids[0],
        status: ++authzPolls < 4 ? 'pending' : 'valid',
        challenges: [
          { type: 'http-01', url: `${fake.base}/chall/1`, token: 't', status: 'processing' },
        ],
      },
    }))
    const client = await setup(fake, clock)
    const processing = {
      ...orderBody(fake.base, 1, ids, 'processing'),
      url: `${fake.base}/order/1`,
    }
    await client.waitForOrder(processing as unknown as Parameters<AcmeClient['waitForOrder']>[0])
    expect(clock.sleeps).toEqual([5, 20, 80])
    clock.sleeps.length = 0
    await client.waitForAuthorization(`${fake.base}/authz/1-0`)
    expect(clock.sleeps).toEqual([1000, 1500, 2250, 3375])
    expect([AUTHORIZATION_POLLS.floorMs, ORDER_POLLS.firstMs]).toEqual([500, 5])
  })

  it('a wake-up (the CA fetched the challenge response) brings the next poll forward to shortly after it', async () => {
    const fake = fakeAcme()
    const ids = [{ type: 'dns', value: 'a.example' }]
    let valid = false
    fake.route('/authz/1-0', () => ({
      body: {
        identifier: ids[0],
        status: valid ? 'valid' : 'pending',
        challenges: [
          { type: 'http-01', url: `${fake.base}/chall/1`, token: 't', status: 'processing' },
        ],
      },
    }))
    // A sleep that ends only when aborted (by a wake-up) or when the test says so.
    const sleeps: { ms: number; end: () => void }[] = []
    const sleep = (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        sleeps.push({ ms, end: resolve })
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
      })
    const client = await setup(fake, { sleep })
    const waker = new PollWaker()
    const waiting = client.waitForAuthorization(`${fake.base}/authz/1-0`, { waker })
    while (sleeps.length === 0) await new Promise((r) => setImmediate(r))
    expect(sleeps[0]?.ms).toBe(1000)
    valid = true
    waker.wake()
    while (sleeps.length === 1) await new Promise((r) => setImmediate(r))
    expect(sleeps[1]?.ms).toBe(WAKE_QUIET_MS)
    sleeps[1]?.end()
    expect((await waiting).status).toBe('valid')
    expect(fake.requests.filter((r) => r.path === '/authz/1-0')).toHaveLength(1)
  })

  it('a wake-up that came before the wait began is not lost', async () => {
    const fake = fakeAcme()
    const clock = fakeClock()
    fake.route('/authz/1-0', () => ({
      body: { identifier: { type: 'dns', value: 'a.example' }, status: 'valid', challenges: [] },
    }))
    const client = await setup(fake, clock)
    const waker = new PollWaker()
    waker.wake()
    await client.waitForAuthorization(`${fake.base}/authz/1-0`, { waker })
    expect(clock.sleeps).toEqual([WAKE_QUIET_MS])
  })
})

describe('nonces (RFC 8555 §6.5, issue 19 §3)', () => {
  it('20 parallel requests on an empty pool: newNonce is asked at most its burst, every nonce is used once', async () => {
    const fake = fakeAcme()
    fake.route('/order/', (r) => ({
      body: orderBody(fake.base, 1, [{ type: 'dns', value: r.path }]),
    }))
    const client = await setup(fake)
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.getOrder(`${fake.base}/order/${i}`)),
    )
    const nonces = fake.requests.flatMap((r) => (r.nonce ? [r.nonce] : []))
    expect(nonces).toHaveLength(20)
    expect(new Set(nonces).size).toBe(20)
    expect(fake.newNonces()).toBeLessThanOrEqual(5)
  })
})
