import { type ConnectionOptions, connect, type PeerCertificate } from 'node:tls'
import type { CacheCallOptions, CacheStore, Lease, LockOptions } from '@autotls/cache'
import { memoryCache } from '@autotls/cache'
import { type Pebble, type PebbleOptions, startPebble } from '@autotls/pebble'
import type { Logger } from '../../src/logger.js'
import { createManager, type Manager } from '../../src/manager.js'
import type { ManagerEvent } from '../../src/manager-event.js'
import type { ManagerOptions } from '../../src/manager-options.js'

/** A cache wrapper that counts reads and lets a test hold a write. */
export class CountingStore implements CacheStore {
  gets: string[] = []
  puts: string[] = []
  locks: { name: string; ttlMs: number }[] = []
  /** When set, `put` of a matching key waits for the returned promise before writing. */
  holdPut: ((key: string) => Promise<void> | undefined) | undefined
  readonly inner: CacheStore

  constructor(inner: CacheStore = memoryCache()) {
    this.inner = inner
  }

  get(key: string, options?: CacheCallOptions): Promise<Uint8Array | null> {
    this.gets.push(key)
    return this.inner.get(key, options)
  }

  async put(key: string, value: Uint8Array, options?: CacheCallOptions): Promise<void> {
    this.puts.push(key)
    const hold = this.holdPut?.(key)
    if (hold) await hold
    return this.inner.put(key, value, options)
  }

  delete(key: string, options?: CacheCallOptions): Promise<void> {
    return this.inner.delete(key, options)
  }

  lock(name: string, options: LockOptions): Promise<Lease> {
    this.locks.push({ name, ttlMs: options.ttlMs })
    return this.inner.lock(name, options)
  }
}

/** A logger that keeps every line for assertions. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const log =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push(
        `${level} ${message} ${JSON.stringify(fields, (_k, v) => (v instanceof Error ? v.message : v))}`,
      )
    }
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

export interface Env {
  pebble: Pebble
  roots: string[]
  logger: ReturnType<typeof memoryLogger>
  events: ManagerEvent[]
  store: CountingStore
  manager: Manager
}

/** Starts Pebble and a manager pointed at it (every name under `.test` allowed by default). */
export async function startEnv(
  pebbleOptions: PebbleOptions = {},
  managerOptions: Partial<ManagerOptions> = {},
  store: CountingStore = new CountingStore(),
): Promise<Env> {
  const pebble = await startPebble({ nonceRejectPercent: 0, ...pebbleOptions })
  const logger = memoryLogger()
  const events: ManagerEvent[] = []
  const manager = createManager({
    hosts: (name) => name.endsWith('.test'),
    cache: store,
    directoryUrl: pebble.directoryUrl,
    caPem: pebble.caPem,
    acceptTerms: true,
    email: 'ops@example.test',
    logger,
    onEvent: (event) => events.push(event),
    ...managerOptions,
  })
  return { pebble, roots: await pebble.roots(), logger, events, store, manager }
}

/** A TLS handshake that verifies the chain against `ca` and the name; resolves the peer certificate. */
export function handshake(
  port: number,
  servername: string,
  options: ConnectionOptions = {},
): Promise<PeerCertificate & { alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ...options }, () => {
      const cert = socket.getPeerCertificate()
      const alpn = socket.alpnProtocol
      socket.end()
      resolve(Object.assign(cert, { alpn: alpn ?? false }))
    })
    socket.setTimeout(options.timeout ?? 20_000, () =>
      socket.destroy(new Error('handshake timed out')),
    )
    socket.on('error', reject)
  })
}
