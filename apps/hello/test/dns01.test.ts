import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type DnsServer,
  newTsigKey,
  type PowerDnsServer,
  startBind,
  startPowerDns,
} from '@autotls/dns-servers'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runHello, type Served, until, verifiedGet } from './run-hello.js'

const ZONE = 'example.test'
const key = newTsigKey('hello-acme')
let bind: DnsServer
let pebble: Pebble
let work: string
let roots: string
let baseline: string[]
let env: Record<string, string>

beforeAll(async () => {
  bind = await startBind({ zones: [{ name: ZONE }], tsigKey: key })
  // Pebble resolves every name through BIND (`* A 127.0.0.1`) and validates dns-01 there.
  pebble = await startPebble({ dnsServer: bind.address, nonceRejectPercent: 0 })
  work = await mkdtemp(join(tmpdir(), 'hello-dns01-'))
  await writeFile(join(work, 'api-ca.pem'), pebble.caPem)
  // The key file exactly as `tsig-keygen -a hmac-sha256 hello-acme` writes it.
  await writeFile(
    join(work, 'tsig.key'),
    `key "${key.name}" {\n\talgorithm hmac-sha256;\n\tsecret "${key.secret}";\n};\n`,
    { mode: 0o600 },
  )
  roots = (await pebble.roots()).join('')
  baseline = await bind.zoneRecords(ZONE)
  env = {
    DOMAINS: `*.${ZONE}`,
    DNS_PROVIDER: 'rfc2136',
    DNS_SERVER: bind.address,
    DNS_TSIG_KEY_FILE: join(work, 'tsig.key'),
    DNS_RESOLVERS: bind.address,
    DNS_NAMESERVERS: bind.address,
    DNS_PROPAGATION_INTERVAL: '0.05',
    ACME_DIRECTORY: pebble.directoryUrl,
    ACME_CA_CERTS: join(work, 'api-ca.pem'),
    CERTS_DIR: join(work, 'certs'),
    HTTPS_PORT: String(pebble.tlsPort),
    HTTP_PORT: 'off',
    HOST: '127.0.0.1',
    WORKERS: '2',
  }
}, 60_000)

afterAll(async () => {
  await pebble?.stop()
  await bind?.stop()
  if (work) await rm(work, { recursive: true, force: true })
})

/** A GET for `name` that verifies the chain against Pebble's roots and the name. */
function get(name: string, path = '/', ca = pebble, rootsPem = roots): Promise<Served> {
  return verifiedGet(ca.tlsPort, name, rootsPem, path)
}

describe('hello with DNS-01 from the environment (BIND 9, RFC 2136 + TSIG, Pebble)', () => {
  it('DOMAINS=*.example.test: every subdomain is served one wildcard certificate, one order', async () => {
    const hello = runHello(env)
    let first: Served
    try {
      first = await until(() => get(`anything.${ZONE}`), 60_000).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${hello.output()}`)
      })
      expect(first).toMatchObject({
        status: 200,
        body: 'Hello, TLS!\n',
        subjectaltname: `DNS:*.${ZONE}, DNS:${ZONE}`,
      })
      const other = await get(`other.${ZONE}`)
      expect(other).toMatchObject({ status: 200, serial: first.serial })
      const apex = await get(ZONE)
      expect(apex.serial).toBe(first.serial)
      expect(pebble.orderCount()).toBe(1)
      const ready = await get(`anything.${ZONE}`, '/readyz')
      expect({ status: ready.status, body: ready.body }).toEqual({
        status: 200,
        body: `serving *.${ZONE}\n`,
      })
      // Both TXT values were withdrawn: the zone is as before.
      expect(await bind.zoneRecords(ZONE)).toEqual(baseline)
      // The key material never reaches the log.
      expect(hello.output()).not.toContain(key.secret)
    } finally {
      hello.child.kill('SIGTERM')
    }
    expect(await hello.exited, hello.output()).toBe(0)

    // Restarted, it serves a new subdomain the same certificate from CERTS_DIR: no new order.
    const again = runHello(env)
    try {
      const fresh = await until(() => get(`fresh.${ZONE}`), 30_000).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${again.output()}`)
      })
      expect(fresh.serial).toBe(first.serial)
      expect(pebble.orderCount()).toBe(1)
    } finally {
      again.child.kill('SIGTERM')
    }
    expect(await again.exited, again.output()).toBe(0)
  }, 120_000)

  it('a TSIG key the server does not know: the handshake fails, the log names the refusal, the zone is unchanged', async () => {
    const wrong = newTsigKey(key.name)
    const file = join(work, 'wrong.key')
    await writeFile(
      file,
      `key "${wrong.name}" { algorithm hmac-sha256; secret "${wrong.secret}"; };\n`,
    )
    const orders = pebble.orderCount()
    const hello = runHello({
      ...env,
      DOMAINS: `*.wrong.${ZONE}`,
      DNS_TSIG_KEY_FILE: file,
      CERTS_DIR: join(work, 'certs-wrong'),
      WORKERS: '1',
    })
    try {
      // Once it listens, the handshake fails: no certificate could be had.
      const outcome = await until(
        () =>
          get(`a.wrong.${ZONE}`).then(
            () => 'served',
            (error: NodeJS.ErrnoException) =>
              error.code === 'ECONNREFUSED' ? Promise.reject(error) : 'refused',
          ),
        30_000,
      )
      expect(outcome).toBe('refused')
      await expect
        .poll(() => hello.output(), { timeout: 30_000 })
        .toContain(
          `refused the UPDATE (add TXT _acme-challenge.wrong.${ZONE} in zone ${ZONE}) with NOTAUTH (TSIG BADSIG)`,
        )
      expect(await bind.zoneRecords(ZONE)).toEqual(baseline)
      expect(hello.output()).not.toContain(wrong.secret)
    } finally {
      hello.child.kill('SIGTERM')
    }
    expect(pebble.orderCount()).toBe(orders + 1)
    await hello.exited
  }, 90_000)

  it.each([
    [
      'a wildcard without DNS_PROVIDER',
      { DNS_PROVIDER: '', DNS_SERVER: '', DNS_TSIG_KEY_FILE: '' },
      `hello: DOMAINS has *.${ZONE}: a wildcard certificate needs DNS-01, so set DNS_PROVIDER (rfc2136 or powerdns) and its DNS_* variables\n`,
    ],
    [
      'a TSIG key file that is not there',
      { DNS_TSIG_KEY_FILE: '/nonexistent/tsig.key' },
      'hello: DNS_TSIG_KEY_FILE /nonexistent/tsig.key cannot be read (ENOENT): point DNS_TSIG_KEY_FILE at a file this process can read\n',
    ],
  ])('refuses %s at start: exit 2, one line', async (_what, change, line) => {
    const hello = runHello({ ...env, ...change })
    expect(await hello.exited).toBe(2)
    expect(hello.output()).toBe(line)
  })
})

describe('hello with DNS-01 from the environment (PowerDNS API, Pebble)', () => {
  let pdns: PowerDnsServer
  let pdnsPebble: Pebble
  let pdnsRoots: string

  beforeAll(async () => {
    pdns = await startPowerDns({ zones: [{ name: ZONE }] })
    pdnsPebble = await startPebble({ dnsServer: pdns.address, nonceRejectPercent: 0 })
    pdnsRoots = (await pdnsPebble.roots()).join('')
    await writeFile(join(work, 'pdns-api.key'), `${pdns.apiKey}\n`, { mode: 0o600 })
    await writeFile(join(work, 'pdns-ca.pem'), pdnsPebble.caPem)
  }, 60_000)

  afterAll(async () => {
    await pdnsPebble?.stop()
    await pdns?.stop()
  })

  it('DNS_PROVIDER=powerdns with DNS_API_KEY_FILE: one wildcard certificate for every subdomain', async () => {
    const before = await pdns.zoneRecords(ZONE)
    const hello = runHello({
      DOMAINS: `*.${ZONE}`,
      DNS_PROVIDER: 'powerdns',
      DNS_API_URL: pdns.apiUrl,
      DNS_API_KEY_FILE: join(work, 'pdns-api.key'),
      DNS_RESOLVERS: pdns.address,
      DNS_NAMESERVERS: pdns.address,
      DNS_PROPAGATION_INTERVAL: '0.05',
      ACME_DIRECTORY: pdnsPebble.directoryUrl,
      ACME_CA_CERTS: join(work, 'pdns-ca.pem'),
      CERTS_DIR: join(work, 'certs-pdns'),
      HTTPS_PORT: String(pdnsPebble.tlsPort),
      HTTP_PORT: 'off',
      HOST: '127.0.0.1',
      WORKERS: '1',
    })
    try {
      const first = await until(
        () => get(`anything.${ZONE}`, '/', pdnsPebble, pdnsRoots),
        60_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${hello.output()}`)
      })
      expect(first).toMatchObject({ status: 200, subjectaltname: `DNS:*.${ZONE}, DNS:${ZONE}` })
      const other = await get(`other.${ZONE}`, '/', pdnsPebble, pdnsRoots)
      expect(other.serial).toBe(first.serial)
      expect(pdnsPebble.orderCount()).toBe(1)
      expect(await pdns.zoneRecords(ZONE)).toEqual(before)
      expect(hello.output()).not.toContain(pdns.apiKey)
    } finally {
      hello.child.kill('SIGTERM')
    }
    expect(await hello.exited, hello.output()).toBe(0)
  }, 120_000)
})
