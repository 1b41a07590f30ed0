import { CacheError } from '@autotls/cache'
import { abortableSleep, isTaggedProcessGone, KeptLease, processTag } from '@autotls/cache/backend'
import { ACQUIRE, RELEASE, RENEW, runScript } from './lock-scripts.js'
import type { RedisConnection } from './redis-connection.js'

/** Everything {@link acquireLock} needs besides the lock itself. */
export interface AcquireLockInit {
  connection: RedisConnection
  /** The lock name, as passed to `lock()`. */
  name: string
  /** The Redis key holding the lock's owner. */
  lockKey: string
  /** The Redis key counting the lock's fencing tokens. */
  fenceKey: string
  ttlMs: number
  signal: AbortSignal | undefined
  now: () => number
  randomBytes: (size: number) => Uint8Array
  /** Called once when the lease ends: released (even if Redis was away) or lost. */
  onEnd: (lease: KeptLease) => void
}

/** First pause between attempts, in ms; it grows by half each time up to {@link MAX_POLL_MS}. */
const FIRST_POLL_MS = 10
const MAX_POLL_MS = 200

/**
 * Takes a Redis lock, polling while another holder has it, and returns a lease that renews itself
 * every `ttlMs / 3` with a compare-and-set script and releases with a compare-and-delete one.
 *
 * Polling rather than pub/sub on release: a waiter must poll anyway to notice a crashed holder's
 * lease expiring, polling needs no second connection (a subscribed ioredis client can run no
 * other command) and survives a Redis restart without resubscribing. The pause starts at 10 ms,
 * grows by half up to 200 ms, never outlasts the holder's remaining TTL (the script returns its
 * `PTTL`) and carries ±20 % jitter so waiters do not move in step.
 *
 * The owner id is random hex, a `.`, and the holder's `processTag()`. A waiter that sees from it
 * that the holder was a process of its own host and pid space that has ended (killed, crashed)
 * deletes that holder's lock at once (only if it still holds it) and takes the lock with a new
 * token instead of waiting for the TTL. Holders on other hosts expire by TTL.
 */
export async function acquireLock(init: AcquireLockInit): Promise<KeptLease> {
  const { connection, lockKey, fenceKey, ttlMs, signal, now, randomBytes } = init
  let pause = FIRST_POLL_MS
  for (;;) {
    signal?.throwIfAborted()
    const owner = `${Buffer.from(randomBytes(16)).toString('hex')}.${processTag()}`
    const sentAt = now()
    // Not raced against `signal`: an answer we stopped waiting for could leave a lock held by
    // nobody. Redis answers fast or the connection fails fast, so this wait is short.
    const reply = await connection.run('lock', (client) =>
      runScript(client, ACQUIRE, [lockKey, fenceKey], [owner, ttlMs]),
    )
    const [acquired, value, holder] = parseReply(reply)
    if (!acquired && isTaggedProcessGone(holder.slice(holder.indexOf('.') + 1))) {
      await connection.run('lock takeover', (client) =>
        runScript(client, RELEASE, [lockKey], [holder]),
      )
      continue
    }
    if (acquired) {
      const lease = new KeptLease({
        name: init.name,
        token: String(value),
        ttlMs,
        expiresAt: sentAt + ttlMs,
        now,
        renew: async () => {
          const renewedAt = now()
          const renewed = await connection.run('lock renewal', (client) =>
            runScript(client, RENEW, [lockKey], [owner, ttlMs]),
          )
          return renewed === 1 ? renewedAt + ttlMs : null
        },
        release: async () => {
          try {
            await connection.run('lock release', (client) =>
              runScript(client, RELEASE, [lockKey], [owner]),
            )
          } finally {
            init.onEnd(lease)
          }
        },
      })
      lease.lost.addEventListener('abort', () => init.onEnd(lease), { once: true })
      if (signal?.aborted) {
        await lease.release().catch(() => {})
        throw signal.reason
      }
      return lease
    }
    const remaining = value > 0 ? value : pause
    const jitter = 0.8 + 0.4 * ((randomBytes(1)[0] ?? 128) / 255)
    await abortableSleep(Math.max(1, Math.min(pause, remaining) * jitter), signal)
    pause = Math.min(MAX_POLL_MS, pause * 1.5)
  }
}

function parseReply(reply: unknown): [boolean, number, string] {
  if (Array.isArray(reply) && (reply.length === 2 || reply.length === 3)) {
    const [flag, value, holder = ''] = reply as unknown[]
    if (
      (flag === 0 || flag === 1) &&
      typeof value === 'number' &&
      Number.isSafeInteger(value) &&
      typeof holder === 'string'
    ) {
      return [flag === 1, value, holder]
    }
  }
  throw new CacheError(
    'ERR_CACHE_CORRUPT',
    `unexpected reply from the lock script (${JSON.stringify(reply)}): is the fencing counter a number?`,
  )
}
