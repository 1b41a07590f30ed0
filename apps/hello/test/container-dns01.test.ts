// The image configured for DNS-01 by environment: Pebble validates through a real BIND 9 (RFC 2136
// + TSIG), the TSIG key is a root-only file mounted read-only, as a secret would be.
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DnsServer, newTsigKey, startBind } from '@autotls/dns-servers'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildHelloImage, HELLO_IMAGE, podman, podmanLogs } from './podman.js'
import { type Served, until, verifiedGet } from './run-hello.js'

const ZONE = 'example.test'
const IMAGE = HELLO_IMAGE
const name = `hello-dns01-${randomBytes(4).toString('hex')}`
const key = newTsigKey('hello-acme')
let bind: DnsServer
let pebble: Pebble
let work: string
let roots: string

beforeAll(async () => {
  await buildHelloImage()
  bind = await startBind({ zones: [{ name: ZONE }], tsigKey: key })
  pebble = await startPebble({ dnsServer: bind.address, nonceRejectPercent: 0 })
  work = await mkdtemp(join(tmpdir(), 'hello-container-dns01-'))
  await writeFile(join(work, 'api-ca.pem'), pebble.caPem)
  await writeFile(
    join(work, 'tsig.key'),
    `key "${key.name}" {\n\talgorithm hmac-sha256;\n\tsecret "${key.secret}";\n};\n`,
    { mode: 0o600 },
  )
  roots = (await pebble.roots()).join('')
}, 240_000)

afterAll(async () => {
  await podman('rm', '-f', '-t', '0', name).catch(() => {})
  await pebble?.stop()
  await bind?.stop()
  if (work) await rm(work, { recursive: true, force: true })
})

/** A GET for `host` that verifies the chain against Pebble's roots and the name. */
function get(host: string): Promise<Served> {
  return verifiedGet(pebble.tlsPort, host, roots)
}

describe('hello as a container with DNS-01 from the environment (BIND 9, RFC 2136 + TSIG)', () => {
  it('DOMAINS=*.example.test: https://anything.example.test/ is served the wildcard certificate, one order, the zone as before', async () => {
    const baseline = await bind.zoneRecords(ZONE)
    const certs = join(work, 'certs')
    await mkdir(certs, { mode: 0o755 })
    await podman(
      'run',
      '-d',
      '--name',
      name,
      '--network',
      'host',
      '-v',
      `${join(work, 'api-ca.pem')}:/etc/autotls/api-ca.pem:ro`,
      '-v',
      `${join(work, 'tsig.key')}:/run/secrets/tsig.key:ro`,
      '-v',
      `${certs}:/certs`,
      ...Object.entries({
        DOMAINS: `*.${ZONE}`,
        DNS_PROVIDER: 'rfc2136',
        DNS_SERVER: bind.address,
        DNS_TSIG_KEY_FILE: '/run/secrets/tsig.key',
        DNS_RESOLVERS: bind.address,
        DNS_NAMESERVERS: bind.address,
        DNS_PROPAGATION_INTERVAL: '0.05',
        ACME_DIRECTORY: pebble.directoryUrl,
        ACME_CA_CERTS: '/etc/autotls/api-ca.pem',
        HTTPS_PORT: String(pebble.tlsPort),
        HTTP_PORT: 'off',
        HOST: '127.0.0.1',
        WORKERS: '1',
      }).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      IMAGE,
    )
    try {
      const first = await until(() => get(`anything.${ZONE}`), 60_000)
      expect(first).toMatchObject({
        status: 200,
        body: 'Hello, TLS!\n',
        subjectaltname: `DNS:*.${ZONE}, DNS:${ZONE}`,
      })
      expect((await get(`other.${ZONE}`)).serial).toBe(first.serial)
      expect(pebble.orderCount()).toBe(1)
      // Both TXT values were withdrawn.
      await expect.poll(() => bind.zoneRecords(ZONE), { timeout: 10_000 }).toEqual(baseline)
      const logs = await podmanLogs(name)
      expect(logs).not.toContain(key.secret)
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await podmanLogs(name)}`, { cause: error })
    }
  }, 120_000)
})
