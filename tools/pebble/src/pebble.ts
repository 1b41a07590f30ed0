import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PebbleError } from './errors.js'
import { freePort } from './free-port.js'
import { httpsRequest } from './https-request.js'
import { createListenerCert } from './listener-cert.js'
import { PEBBLE_INSTALL_COMMAND, type PebbleFeature } from './pebble-features.js'
import { findPebbleInstall, type PebbleInstall } from './pebble-install.js'
import { SupervisedProcess } from './supervised-process.js'

/** A certificate profile (Pebble >= 2.7): what the directory meta says, and the lifetime. */
export interface PebbleProfile {
  description: string
  /** Lifetime of certificates issued under this profile, in seconds. */
  validityPeriod: number
}

/** Pebble's knobs, each left at Pebble's own default when omitted. */
export interface PebbleOptions {
  /** Percentage of good nonces Pebble refuses with badNonce (Pebble's default: 5). */
  nonceRejectPercent?: number
  /**
   * How often Pebble reuses a valid authorization in a new order, in percent (Pebble's default:
   * 50). 100 is exact; 0 is not: Pebble creates a new authorization only when a draw from 0–99
   * exceeds this number, so at 0 it still reuses about one time in a hundred.
   */
  authzReusePercent?: number
  /**
   * Lifetime of issued certificates, in seconds (Pebble's default: five years before 2.7, 90 days
   * since). On a Pebble with profiles this becomes the lifetime of its one `default` profile.
   */
  certificateValidityPeriod?: number
  /**
   * Certificate profiles offered in the directory meta (Pebble >= 2.7). An order that names none
   * gets one of them at random, as Pebble does.
   */
  profiles?: Record<string, PebbleProfile>
  /** Retry-After, in seconds, on polls of pending authorizations and orders (Pebble >= 2.5). */
  retryAfter?: { authz?: number; order?: number }
  /** Require External Account Binding with one of `eabKeys` (kid → base64url HMAC key). */
  eabRequired?: boolean
  eabKeys?: Record<string, string>
  /** Number of extra root hierarchies offered as alternate chains. */
  alternateRoots?: number
  /** Certificates in each chain, root included (Pebble's default: 3). */
  chainLength?: number
  /** Skip validation entirely: every challenge succeeds. */
  alwaysValid?: boolean
  /** Keep Pebble's random 0–15 s validation delay (off by default: tests want speed). */
  validationDelay?: boolean
  /** Orders per page of an account's orders list (Pebble's default: 3). */
  ordersPerPage?: number
  /** Names Pebble refuses to issue for. */
  domainBlocklist?: string[]
  /** Override the binaries (default: the newest Pebble installed, see `findPebbleInstall`). */
  pebbleBinary?: string
  challtestsrvBinary?: string
  /** How long to wait for the directory to answer. Default 15 s. */
  startTimeoutMs?: number
  /**
   * Send every lookup Pebble makes (dns-01 TXT, and A/AAAA of the names it validates) to this
   * server (`host:port`) instead of the challenge test server: a real DNS server for DNS-01 tests.
   * Its zones then need `* A 127.0.0.1`; `setTxt` no longer affects what Pebble sees.
   */
  dnsServer?: string
}

/** A running Pebble with its DNS / challenge test server. */
export interface Pebble {
  /** Which Pebble runs: binaries, release, features. */
  readonly install: PebbleInstall
  /** The ACME directory URL, e.g. `https://localhost:41234/dir`. */
  readonly directoryUrl: string
  /** The CA that signed Pebble's listener certificate: trust it (and only it) for the API. */
  readonly caPem: string
  /** Pebble's management API base URL (same CA). */
  readonly managementUrl: string
  /** Port Pebble connects to for http-01 validation. */
  readonly httpPort: number
  /** Port Pebble connects to for tls-alpn-01 validation. */
  readonly tlsPort: number
  /** External Account Binding keys configured (kid → base64url key). */
  readonly eabKeys: Readonly<Record<string, string>>
  /** Root certificate PEMs that sign issued certificates: index 0, then alternates. */
  roots(): Promise<string[]>
  /** Intermediate certificate PEM of hierarchy `index`. */
  intermediate(index?: number): Promise<string>
  /** Pebble's view of a certificate by serial (hex): `Valid` or `Revoked`, and more. */
  certStatus(serialHex: string): Promise<{ Status: string; [key: string]: unknown }>
  /**
   * ARI (Pebble >= 2.8): makes Pebble answer renewalInfo for the certificate `certPem` (its first
   * PEM block is used) with `response`, e.g. a suggestedWindow in the past to ask for renewal now.
   */
  setRenewalInfo(
    certPem: string,
    response: { suggestedWindow: { start: string; end: string }; explanationURL?: string },
  ): Promise<void>
  /** dns-01: serve a TXT record for `host` (e.g. `_acme-challenge.example.com`). */
  setTxt(host: string, value: string): Promise<void>
  /** dns-01: stop serving TXT records for `host`. */
  clearTxt(host: string): Promise<void>
  /** How many orders Pebble has created since it started. */
  orderCount(): number
  /** Everything Pebble and the challenge server printed. */
  logs(): string
  /** Pids of the two programs (not their guards). */
  pids(): number[]
  /** Stops both programs and removes the temporary files. Safe to call twice. */
  stop(): Promise<void>
}

/**
 * Starts Pebble and pebble-challtestsrv on free loopback ports; every name resolves to 127.0.0.1.
 *
 * @example
 * const pebble = await startPebble({ nonceRejectPercent: 0 })
 * try { ...use pebble.directoryUrl, trusting pebble.caPem... } finally { await pebble.stop() }
 */
export async function startPebble(options: PebbleOptions = {}): Promise<Pebble> {
  const install = await findPebbleInstall({
    ...(options.pebbleBinary === undefined ? {} : { pebbleBinary: options.pebbleBinary }),
    ...(options.challtestsrvBinary === undefined
      ? {}
      : { challtestsrvBinary: options.challtestsrvBinary }),
  })
  const needs = (feature: PebbleFeature, option: string): void => {
    if (!install.features[feature]) {
      throw new PebbleError(
        'ERR_PEBBLE_UNSUPPORTED',
        `${install.description} has no ${feature} (option ${option}): ${PEBBLE_INSTALL_COMMAND}`,
      )
    }
  }
  if (options.profiles) needs('profiles', 'profiles')
  if (options.retryAfter) needs('retryAfter', 'retryAfter')
  const dnsFlag = await challtestsrvDnsFlags(install.challtestsrvBinary)
  const dir = await mkdtemp(join(tmpdir(), 'autotls-pebble-'))
  const processes: SupervisedProcess[] = []
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await Promise.all(processes.map((p) => p.stop()))
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const listener = await createListenerCert(dir)
    const [acmePort, mgmtPort, dnsPort, challMgmtPort, httpPort, tlsPort] = [
      await freePort(),
      await freePort(),
      await freePort({ udp: true }),
      await freePort(),
      await freePort(),
      await freePort(),
    ] as [number, number, number, number, number, number]
    const eabKeys = options.eabKeys ?? {}
    const config = {
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: listener.certPath,
        privateKey: listener.keyPath,
        httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: options.eabRequired ?? false,
        externalAccountMACKeys: eabKeys,
        ...validityConfig(install, options),
        ...(options.retryAfter ? { retryAfter: options.retryAfter } : {}),
        ...(options.domainBlocklist ? { domainBlocklist: options.domainBlocklist } : {}),
      },
    }
    const configPath = join(dir, 'pebble-config.json')
    await writeFile(configPath, JSON.stringify(config, null, 2))

    const challtestsrv = new SupervisedProcess(
      'pebble-challtestsrv',
      install.challtestsrvBinary,
      [
        '-defaultIPv6',
        '',
        '-defaultIPv4',
        '127.0.0.1',
        ...dnsFlag(`127.0.0.1:${dnsPort}`),
        '-http01',
        '',
        '-https01',
        '',
        '-tlsalpn01',
        '',
        '-management',
        `127.0.0.1:${challMgmtPort}`,
      ],
      process.env,
    )
    processes.push(challtestsrv)
    const env: NodeJS.ProcessEnv = { ...process.env }
    const setEnv = (name: string, value: number | boolean | undefined): void => {
      if (value === undefined) delete env[name]
      else env[name] = typeof value === 'boolean' ? (value ? '1' : '0') : String(value)
    }
    setEnv('PEBBLE_VA_NOSLEEP', options.validationDelay ? undefined : true)
    setEnv('PEBBLE_WFE_NONCEREJECT', options.nonceRejectPercent)
    setEnv('PEBBLE_AUTHZREUSE', options.authzReusePercent)
    setEnv('PEBBLE_ALTERNATE_ROOTS', options.alternateRoots)
    setEnv('PEBBLE_CHAIN_LENGTH', options.chainLength)
    setEnv('PEBBLE_VA_ALWAYS_VALID', options.alwaysValid || undefined)
    setEnv('PEBBLE_WFE_ORDERS_PER_PAGE', options.ordersPerPage)
    const pebble = new SupervisedProcess(
      'pebble',
      install.pebbleBinary,
      ['-config', configPath, '-dnsserver', options.dnsServer ?? `127.0.0.1:${dnsPort}`],
      env,
    )
    processes.push(pebble)

    const directoryUrl = `https://localhost:${acmePort}/dir`
    const managementUrl = `https://localhost:${mgmtPort}`
    const challUrl = `http://127.0.0.1:${challMgmtPort}`
    await Promise.race([
      pebble.exitedEarly(),
      challtestsrv.exitedEarly(),
      waitUntilReady(directoryUrl, listener.caPem, challUrl, options.startTimeoutMs ?? 15_000),
    ])

    const mgmt = async (path: string, body?: string): Promise<string> => {
      const method = body === undefined ? 'GET' : 'POST'
      const res = await httpsRequest(`${managementUrl}${path}`, listener.caPem, {
        method,
        ...(body === undefined ? {} : { body }),
      })
      if (res.status !== 200) {
        throw new PebbleError(
          'ERR_PEBBLE_REQUEST',
          `${method} ${path} answered ${res.status}: ${res.body}`,
        )
      }
      return res.body
    }
    const chall = async (path: string, body: unknown): Promise<void> => {
      const res = await fetch(`${challUrl}${path}`, { method: 'POST', body: JSON.stringify(body) })
      if (!res.ok) {
        throw new PebbleError('ERR_PEBBLE_REQUEST', `challtestsrv ${path} answered ${res.status}`)
      }
    }
    const hierarchies = 1 + (options.alternateRoots ?? 0)
    return {
      install,
      directoryUrl,
      caPem: listener.caPem,
      managementUrl,
      httpPort,
      tlsPort,
      eabKeys,
      roots: () => Promise.all(Array.from({ length: hierarchies }, (_, i) => mgmt(`/roots/${i}`))),
      intermediate: (index = 0) => mgmt(`/intermediates/${index}`),
      certStatus: async (serialHex) =>
        JSON.parse(await mgmt(`/cert-status-by-serial/${serialHex}`)),
      setRenewalInfo: async (certPem, response) => {
        needs('ari', 'setRenewalInfo')
        const first = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(certPem)
        await mgmt(
          '/set-renewal-info/',
          JSON.stringify({
            Certificate: first?.[0] ?? certPem,
            ARIResponse: JSON.stringify(response),
          }),
        )
      },
      setTxt: (host, value) => chall('/set-txt', { host: fqdn(host), value }),
      clearTxt: (host) => chall('/clear-txt', { host: fqdn(host) }),
      orderCount: () => pebble.output.split('Added order').length - 1,
      logs: () => `${pebble.output}\n${challtestsrv.output}`,
      pids: () => processes.flatMap((p) => (p.pid === undefined ? [] : [p.pid])),
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/*
 * Pebble >= 2.7 ignores certificateValidityPeriod (deprecated) and takes lifetimes from profiles;
 * older ones know no profiles.
 */
function validityConfig(install: PebbleInstall, options: PebbleOptions): Record<string, unknown> {
  if (options.profiles) return { profiles: options.profiles }
  const seconds = options.certificateValidityPeriod
  if (seconds === undefined) return {}
  if (!install.features.profiles) return { certificateValidityPeriod: seconds }
  return {
    profiles: {
      default: { description: `certificates valid ${seconds} s`, validityPeriod: seconds },
    },
  }
}

/*
 * challtestsrv's DNS listener flag was `-dns01` (Debian's 2.4.0) and is `-dnsserver` in newer
 * releases, which also start a DNS-over-HTTPS listener on :8443 unless `-doh ""`: ask its usage
 * (once per binary and process).
 */
const usages = new Map<string, Promise<string>>()

async function challtestsrvDnsFlags(binary: string): Promise<(address: string) => string[]> {
  let pending = usages.get(binary)
  if (!pending) {
    pending = new Promise<string>((resolve) => {
      execFile(binary, ['-h'], (_error, stdout, stderr) => resolve(`${stdout}${stderr}`))
    })
    usages.set(binary, pending)
  }
  const usage = await pending
  if (!usage.includes('-dnsserver')) return (address) => ['-dns01', address]
  const doh = /^\s*-doh\s/m.test(usage) ? ['-doh', ''] : []
  return (address) => ['-dnsserver', address, ...doh]
}

function fqdn(host: string): string {
  return host.endsWith('.') ? host : `${host}.`
}

async function waitUntilReady(
  directoryUrl: string,
  caPem: string,
  challUrl: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const dir = await httpsRequest(directoryUrl, caPem, { timeoutMs: 1000 })
      const chall = await fetch(`${challUrl}/clear-txt`, {
        method: 'POST',
        body: JSON.stringify({ host: 'ready.invalid.' }),
      })
      if (dir.status === 200 && chall.ok) return
      last = new Error(`directory answered ${dir.status}, challtestsrv ${chall.status}`)
    } catch (error) {
      last = error
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new PebbleError(
    'ERR_PEBBLE_START',
    `pebble did not answer at ${directoryUrl} within ${timeoutMs} ms`,
    { cause: last },
  )
}
