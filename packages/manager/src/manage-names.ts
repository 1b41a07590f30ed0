import { abortable } from './abortable.js'
import type { ServedKeyType } from './client-key-type.js'
import { asManagerError, ManagerError } from './errors.js'
import type { Handshakes } from './handshakes.js'

/** Names {@link manageNames} works on at once. */
const MANAGE_CONCURRENCY = 4

/**
 * `manager.manage()`: obtains (or loads) every name in every configured key type ahead of
 * traffic, {@link MANAGE_CONCURRENCY} at a time, through the same policy check and shared job a
 * handshake uses. Rejects with `ERR_MANAGER_ISSUANCE_FAILED` (cause: an `AggregateError` of
 * `ManagerError`s) when some failed; the others are ready regardless.
 *
 * @example
 * await manageNames(handshakes, ['example.com'], ['ec-p256'], signal)
 */
export async function manageNames(
  handshakes: Handshakes,
  names: readonly string[],
  keyTypes: readonly ServedKeyType[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const jobs = names.flatMap((name) => keyTypes.map((keyType) => ({ name, keyType })))
  const errors: ManagerError[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    for (let job = jobs[next++]; job; job = jobs[next++]) {
      try {
        const id = await handshakes.certificateId(job.name, job.keyType, signal)
        await abortable(handshakes.shared(id), signal)
      } catch (error) {
        errors.push(asManagerError(error, signal, `obtaining a certificate for ${job.name}`))
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(MANAGE_CONCURRENCY, jobs.length) }, worker))
  if (errors.length > 0) {
    throw new ManagerError(
      'ERR_MANAGER_ISSUANCE_FAILED',
      `${errors.length} of ${jobs.length} certificates could not be obtained: ${errors[0]?.message}`,
      { cause: new AggregateError(errors) },
    )
  }
}
