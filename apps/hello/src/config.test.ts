import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'
import { HelloError } from './hello-error.js'

const base = { DOMAINS: 'a.test', WORKERS: '1' }

describe('loadConfig: RUN_AS', () => {
  it('is unset by default', () => {
    expect(loadConfig(base).runAs).toBeUndefined()
  })

  it('takes uid:gid, or a uid that is also the gid', () => {
    expect(loadConfig({ ...base, RUN_AS: '1000:1001' }).runAs).toEqual({ uid: 1000, gid: 1001 })
    expect(loadConfig({ ...base, RUN_AS: '1000' }).runAs).toEqual({ uid: 1000, gid: 1000 })
  })

  it.each(['root', '0', '0:0', '1000:', '-1', 'node'])(
    'refuses %j with ERR_HELLO_CONFIG',
    (text) => {
      expect(() => loadConfig({ ...base, RUN_AS: text })).toThrow(
        expect.objectContaining({
          name: 'HelloError',
          code: 'ERR_HELLO_CONFIG',
          message: `RUN_AS must be a numeric uid or uid:gid other than root, e.g. RUN_AS=1000:1000, not "${text}"`,
        }),
      )
      expect(() => loadConfig({ ...base, RUN_AS: text })).toThrow(HelloError)
    },
  )
})

describe('loadConfig: DNS-01', () => {
  const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I='
  const dir = mkdtempSync(join(tmpdir(), 'hello-config-'))
  const keyFile = join(dir, 'tsig.key')
  const apiKeyFile = join(dir, 'pdns.key')

  beforeAll(() => {
    writeFileSync(keyFile, `key "acme" {\n\talgorithm hmac-sha256;\n\tsecret "${secret}";\n};\n`)
    writeFileSync(apiKeyFile, 'the-api-key\n')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const rfc2136 = (): Record<string, string> => ({
    ...base,
    DOMAINS: '*.example.test',
    DNS_PROVIDER: 'rfc2136',
    DNS_SERVER: '192.0.2.53',
    DNS_TSIG_KEY_FILE: keyFile,
  })

  const refused = (env: Record<string, string>, message: string): void => {
    expect(() => loadConfig(env)).toThrow(
      expect.objectContaining({ name: 'HelloError', code: 'ERR_HELLO_CONFIG', message }),
    )
  }

  it('is off by default, and then refuses a wildcard in DOMAINS: DNS-01 is needed', () => {
    expect(loadConfig(base).dns).toBeUndefined()
    refused(
      { ...base, DOMAINS: 'a.test,*.example.test' },
      'DOMAINS has *.example.test: a wildcard certificate needs DNS-01, so set DNS_PROVIDER (rfc2136 or powerdns) and its DNS_* variables',
    )
  })

  it('rfc2136: reads the TSIG key from a tsig-keygen file, with safe defaults for the rest', () => {
    const config = loadConfig(rfc2136())
    expect(config.domains).toEqual(['*.example.test'])
    expect(config.dns).toEqual({
      provider: {
        kind: 'rfc2136',
        server: '192.0.2.53',
        tsig: { name: 'acme', algorithm: 'hmac-sha256', secret },
      },
      resolvers: undefined,
      nameservers: undefined,
      propagationTimeoutMs: 120_000,
      propagationIntervalMs: 2000,
    })
  })

  it('takes resolvers, name servers and propagation settings', () => {
    const config = loadConfig({
      ...rfc2136(),
      DNS_RESOLVERS: '127.0.0.1:5353, [::1]:53',
      DNS_NAMESERVERS: '192.0.2.1',
      DNS_PROPAGATION_TIMEOUT: '300',
      DNS_PROPAGATION_INTERVAL: '0.5',
    }).dns
    expect(config).toMatchObject({
      resolvers: ['127.0.0.1:5353', '[::1]:53'],
      nameservers: ['192.0.2.1'],
      propagationTimeoutMs: 300_000,
      propagationIntervalMs: 500,
    })
  })

  it('powerdns: reads the API key from a file', () => {
    const config = loadConfig({
      ...base,
      DNS_PROVIDER: 'powerdns',
      DNS_API_URL: 'http://127.0.0.1:8081',
      DNS_API_KEY_FILE: apiKeyFile,
    })
    expect(config.dns?.provider).toEqual({
      kind: 'powerdns',
      apiUrl: 'http://127.0.0.1:8081',
      apiKey: 'the-api-key',
    })
  })

  it.each<[string, () => Record<string, string>, string]>([
    [
      'an unknown provider',
      () => ({ ...rfc2136(), DNS_PROVIDER: 'route53' }),
      'DNS_PROVIDER must be rfc2136 or powerdns (or unset for no DNS-01), not "route53"',
    ],
    [
      'DNS_SERVER without DNS_PROVIDER',
      () => ({ ...base, DNS_SERVER: '192.0.2.53' }),
      'DNS_SERVER is set but DNS_PROVIDER is not: set DNS_PROVIDER to rfc2136 or powerdns',
    ],
    [
      'rfc2136 without DNS_SERVER',
      () => ({ ...rfc2136(), DNS_SERVER: '' }),
      'DNS_PROVIDER=rfc2136 needs DNS_SERVER: set it to the primary server of the zone, e.g. 192.0.2.53',
    ],
    [
      'a host name as DNS_SERVER',
      () => ({ ...rfc2136(), DNS_SERVER: 'ns1.example.test' }),
      'DNS_SERVER must list IP addresses with an optional port, e.g. 192.0.2.53 or 127.0.0.1:5353, not "ns1.example.test"',
    ],
    [
      'rfc2136 without a key file',
      () => ({ ...rfc2136(), DNS_TSIG_KEY_FILE: '' }),
      'DNS_PROVIDER=rfc2136 needs DNS_TSIG_KEY_FILE: set it to a file written by tsig-keygen or keymgr',
    ],
    [
      'a key file that is not there',
      () => ({ ...rfc2136(), DNS_TSIG_KEY_FILE: join(dir, 'absent.key') }),
      `DNS_TSIG_KEY_FILE ${join(dir, 'absent.key')} cannot be read (ENOENT): point DNS_TSIG_KEY_FILE at a file this process can read`,
    ],
    [
      'a key file without a TSIG key',
      () => ({ ...rfc2136(), DNS_TSIG_KEY_FILE: apiKeyFile }),
      `DNS_TSIG_KEY_FILE ${apiKeyFile} holds no usable TSIG key: write it with tsig-keygen -a hmac-sha256 <name> (or keymgr -t <name>)`,
    ],
    [
      'a bad resolver',
      () => ({ ...rfc2136(), DNS_RESOLVERS: '127.0.0.1:99999' }),
      'DNS_RESOLVERS must list IP addresses with an optional port, e.g. 192.0.2.53 or 127.0.0.1:5353, not "127.0.0.1:99999"',
    ],
    [
      'a propagation timeout that is not a number',
      () => ({ ...rfc2136(), DNS_PROPAGATION_TIMEOUT: '2m' }),
      'DNS_PROPAGATION_TIMEOUT must be a number of seconds above 0 and at most 3600, e.g. 120, not "2m"',
    ],
    [
      'powerdns without an http URL',
      () => ({ ...base, DNS_PROVIDER: 'powerdns', DNS_API_URL: '127.0.0.1:8081' }),
      'DNS_API_URL must be an http or https URL, e.g. http://127.0.0.1:8081, not "127.0.0.1:8081"',
    ],
    [
      'powerdns without a key file',
      () => ({ ...base, DNS_PROVIDER: 'powerdns', DNS_API_URL: 'http://127.0.0.1:8081' }),
      "DNS_PROVIDER=powerdns needs DNS_API_KEY_FILE: set it to a file holding the server's api-key",
    ],
    [
      'a wildcard that is not the first label',
      () => ({ ...rfc2136(), DOMAINS: 'a.*.example.test' }),
      'DOMAINS: a wildcard is allowed only as the whole first label of a name with two more, e.g. *.example.com, not "a.*.example.test"',
    ],
    [
      'a wildcard over a top-level domain',
      () => ({ ...rfc2136(), DOMAINS: '*.test' }),
      'DOMAINS: a wildcard is allowed only as the whole first label of a name with two more, e.g. *.example.com, not "*.test"',
    ],
  ])('refuses %s with one line', (_what, env, message) => {
    refused(env(), message)
  })

  it('never puts key material in a message', () => {
    const secretFile = join(dir, 'not-a-key')
    writeFileSync(secretFile, `secret "${secret}" but no key clause`)
    try {
      loadConfig({ ...rfc2136(), DNS_TSIG_KEY_FILE: secretFile })
      expect.unreachable()
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(secret)
    }
  })
})
