import { abortable } from './abortable.js'
import type { CertificateId } from './certificate-id.js'
import { ManagerError } from './errors.js'
import type { ResolvedOptions } from './resolve-options.js'

/**
 * Waits for `job` (the shared load or issuance of `id`) at most `handshakeTimeoutMs`, or until
 * `signal` aborts: a handshake fails then with `ERR_MANAGER_HANDSHAKE_TIMEOUT` (logged at `warn`)
 * while the job goes on for the handshakes after it.
 *
 * @example
 * const ready = await withinHandshakeTimeout(handshakes.shared(id), id, options, lifetime)
 */
export async function withinHandshakeTimeout<T>(
  job: Promise<T>,
  id: CertificateId,
  options: Pick<ResolvedOptions, 'handshakeTimeoutMs' | 'logger'>,
  signal: AbortSignal,
): Promise<T> {
  const ms = options.handshakeTimeoutMs
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      options.logger.warn(
        { name: id.name, waitedMs: ms },
        `certificate for ${id.name} not ready within ${ms} ms: this handshake fails, the issuance continues`,
      )
      reject(
        new ManagerError(
          'ERR_MANAGER_HANDSHAKE_TIMEOUT',
          `certificate for ${id.name} not ready within ${ms} ms; retry shortly`,
        ),
      )
    }, ms)
    timer.unref()
  })
  try {
    return await Promise.race([abortable(job, signal), timeout])
  } finally {
    clearTimeout(timer)
  }
}
