import { chmod } from 'node:fs/promises'
import type { Cache } from '@autotls/cache'
import type { Logger } from 'pino'
import { probeCache } from './cache-probe.js'
import type { Config } from './config.js'
import { HelloError } from './hello-error.js'
import { systemCode } from './system-code.js'

/** How long the start-time check may take, so a broken setup exits well within 2 s. */
const START_CHECK_MS = 1200

/**
 * The start-time check: the cache must be usable before hello says it is listening. A directory
 * is made private (0700) and must be writable by this user; a Redis must answer (the client
 * connects in the background, so this retries until the deadline). Throws a
 * {@link HelloError} whose message names the fix.
 */
export async function checkCache(config: Config, cache: Cache, logger: Logger): Promise<void> {
  const notPrivate = config.redisUrl === undefined ? await makePrivate(config.certsDir) : null
  const deadline = AbortSignal.timeout(START_CHECK_MS)
  for (;;) {
    try {
      await probeCache(cache, deadline)
      if (notPrivate) {
        logger.warn(
          { dir: config.certsDir, code: notPrivate },
          'CERTS_DIR could not be made private (0700): it belongs to another user',
        )
      }
      return
    } catch (error) {
      if (config.redisUrl === undefined || deadline.aborted) throw unusable(config, error)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

/** Sets mode 0700 on an existing `dir`; resolves with the error code when that is not allowed. */
async function makePrivate(dir: string): Promise<string | null> {
  try {
    await chmod(dir, 0o700)
    return null
  } catch (error) {
    // Missing: the cache creates it 0700.
    const code = systemCode(error)
    return code === 'ENOENT' ? null : code
  }
}

function unusable(config: Config, error: unknown): HelloError {
  const code = systemCode(error)
  if (config.redisUrl !== undefined) {
    return new HelloError(
      'ERR_HELLO_CACHE_UNUSABLE',
      `REDIS_URL ${redact(config.redisUrl)} is not usable (${code}): check that Redis runs, is reachable from here and accepts these credentials`,
      { cause: error },
    )
  }
  const uid = process.getuid?.() ?? 'this user'
  const gid = process.getgid?.() ?? uid
  return new HelloError(
    'ERR_HELLO_CERTS_DIR',
    `CERTS_DIR ${config.certsDir} is not writable by uid ${uid} (${code}): run "chown -R ${uid}:${gid}" on that directory (for a host directory mounted at /certs, on the host), or start the container as root without --user so hello prepares it itself`,
    { cause: error },
  )
}

/** The URL without its password, for logs and messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'REDIS_URL'
  }
}
