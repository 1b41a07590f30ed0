import { abortable } from './abortable.js'
import type { ServedKeyType } from './client-key-type.js'
import { asManagerError } from './errors.js'
import type { Handshakes } from './handshakes.js'
import type { Obtainer } from './obtainer.js'
import type { Renewer } from './renewer.js'

/** What {@link renewNow} works with. */
export interface RenewNowDeps {
  readonly handshakes: Handshakes
  readonly obtainer: Obtainer
  readonly renewer: Renewer
  readonly lifetime: AbortSignal
}

/**
 * `manager.renew()`: renews the certificate of `rawName` now, ahead of its schedule (obtains it
 * when nothing is held or cached). Resolves once the new certificate is served; `signal` stops
 * the wait, not the renewal.
 *
 * @example
 * await renewNow({ handshakes, obtainer, renewer, lifetime }, 'example.com', 'ec-p256', signal)
 */
export async function renewNow(
  deps: RenewNowDeps,
  rawName: string,
  keyType: ServedKeyType | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { handshakes, obtainer, renewer, lifetime } = deps
  const id = await handshakes.certificateId(rawName, handshakes.served(keyType), signal)
  try {
    let state = renewer.get(id.key)
    if (!state) {
      const cached = await abortable(obtainer.readCache(id, lifetime), signal)
      if (!cached) {
        await handshakes.secureContext(id.name, id.keyType, signal)
        return
      }
      handshakes.install(id, cached)
      state = renewer.get(id.key)
    }
    if (state) await abortable(renewer.renewNow(state, true), signal)
  } catch (error) {
    if (lifetime.aborted) throw lifetime.reason
    throw asManagerError(error, signal, `renewing ${id.name}`)
  }
}
