import { availableParallelism } from 'node:os'
import { type DnsConfig, loadDnsConfig } from './dns-config.js'
import { HelloError } from './hello-error.js'

/** What the server needs to run, read from the environment. */
export interface Config {
  /**
   * Host names to serve and obtain certificates for (normalised by the manager). A
   * `*.example.com` pattern (with {@link Config.dns} only) is served one wildcard certificate for
   * `*.example.com` and `example.com`.
   */
  readonly domains: readonly string[]
  /** DNS-01 (the `DNS_*` variables); undefined when `DNS_PROVIDER` is unset. */
  readonly dns: DnsConfig | undefined
  /** Contact e-mail given to the CA (expiry and incident notices). */
  readonly email: string | undefined
  /** ACME directory URL. */
  readonly directoryUrl: string
  /** PEM file(s) of extra CAs to trust for the ACME API (a private or test CA). */
  readonly caCertFiles: readonly string[]
  /** Where certificates and account keys are kept. */
  readonly certsDir: string
  /** Share certificates, locks and challenge answers across replicas through this Redis. */
  readonly redisUrl: string | undefined
  readonly httpsPort: number
  /** Port for http-01 answers and the redirect to HTTPS; `null` disables it. */
  readonly httpPort: number | null
  /** Address to bind both ports on. */
  readonly host: string
  /** Number of `node:cluster` workers; 1 runs the server in this process. */
  readonly workers: number
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /**
   * The unprivileged user to serve as when started as root: hello then prepares `certsDir` for
   * it and binds the ports before switching. Unused when started as any other user.
   */
  readonly runAs: { readonly uid: number; readonly gid: number } | undefined
}

/** Well-known ACME directories, so switching to staging is one word. */
export const DIRECTORIES: Readonly<Record<string, string>> = {
  production: 'https://acme-v02.api.letsencrypt.org/directory',
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * Reads the configuration from environment variables, each with a safe default except `DOMAINS`
 * (without it the server would not know which names it may obtain certificates for).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim()
    return raw ? raw : undefined
  }

  const domainsText = value('DOMAINS')
  if (!domainsText) {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      'set DOMAINS to the comma-separated host names to serve, e.g. DOMAINS=example.com,www.example.com',
    )
  }
  const domains = domainsText
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean)
  if (domains.length === 0)
    throw new HelloError('ERR_HELLO_CONFIG', 'DOMAINS lists no host name: set DOMAINS=example.com')
  const dns = loadDnsConfig(value)
  for (const domain of domains) {
    if (!domain.includes('*')) continue
    if (!/^\*\.[^*]+\.[^*]+$/.test(domain)) {
      throw new HelloError(
        'ERR_HELLO_CONFIG',
        `DOMAINS: a wildcard is allowed only as the whole first label of a name with two more, e.g. *.example.com, not "${domain}"`,
      )
    }
    if (dns === undefined) {
      throw new HelloError(
        'ERR_HELLO_CONFIG',
        `DOMAINS has ${domain}: a wildcard certificate needs DNS-01, so set DNS_PROVIDER (rfc2136 or powerdns) and its DNS_* variables`,
      )
    }
  }

  const email = value('ACME_EMAIL')
  if (email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new HelloError('ERR_HELLO_CONFIG', `ACME_EMAIL is not an e-mail address: "${email}"`)
  }

  const directoryWord = value('ACME_DIRECTORY') ?? 'production'
  const directoryUrl = DIRECTORIES[directoryWord] ?? directoryWord
  let parsed: URL
  try {
    parsed = new URL(directoryUrl)
  } catch {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      `ACME_DIRECTORY must be "production", "staging" or an https URL, not "${directoryWord}"`,
    )
  }
  if (parsed.protocol !== 'https:') {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      `ACME_DIRECTORY must be an https URL, not "${directoryWord}"`,
    )
  }

  const redisUrl = value('REDIS_URL')
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      `REDIS_URL must start with redis:// or rediss://, not "${redisUrl}"`,
    )
  }

  const httpPortText = value('HTTP_PORT') ?? '80'
  const httpPort = httpPortText === 'off' ? null : port('HTTP_PORT', httpPortText)
  const httpsPort = port('HTTPS_PORT', value('HTTPS_PORT') ?? '443')
  if (httpPort === httpsPort)
    throw new HelloError('ERR_HELLO_CONFIG', 'HTTP_PORT and HTTPS_PORT must differ')

  const workersText = value('WORKERS')
  // One core is left to the kernel's network work and whatever shares the machine: on 2 cores one
  // worker served more handshakes than two (README, "Workers").
  const workers =
    workersText === undefined ? Math.max(1, availableParallelism() - 1) : Number(workersText)
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      `WORKERS must be a whole number from 1 to 256, not "${workersText}"`,
    )
  }

  const logLevel = (value('LOG_LEVEL') ?? 'info') as Config['logLevel']
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`,
    )
  }

  const runAsText = value('RUN_AS')
  const runAsMatch = runAsText === undefined ? null : /^(\d{1,9})(?::(\d{1,9}))?$/.exec(runAsText)
  if (runAsText !== undefined && (!runAsMatch || Number(runAsMatch[1]) === 0)) {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      `RUN_AS must be a numeric uid or uid:gid other than root, e.g. RUN_AS=1000:1000, not "${runAsText}"`,
    )
  }
  const runAs = runAsMatch
    ? { uid: Number(runAsMatch[1]), gid: Number(runAsMatch[2] ?? runAsMatch[1]) }
    : undefined

  return {
    domains,
    dns,
    email,
    directoryUrl,
    caCertFiles: (value('ACME_CA_CERTS') ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean),
    certsDir: value('CERTS_DIR') ?? './certs',
    redisUrl,
    httpsPort,
    httpPort,
    host: value('HOST') ?? '::',
    workers,
    logLevel,
    runAs,
  }
}

function port(name: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new HelloError(
      'ERR_HELLO_CONFIG',
      `${name} must be a port number from 1 to 65535${name === 'HTTP_PORT' ? ' or "off"' : ''}, not "${text}"`,
    )
  }
  return n
}
