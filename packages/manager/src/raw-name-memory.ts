import type { CertificateId } from './certificate-id.js'
import type { ServedKeyType } from './client-key-type.js'

/**
 * A server name as the client sent it: Node hands SNI bytes over as latin1, so a client that
 * sent raw UTF-8 gets its name back.
 *
 * @example
 * fromLatin1(Buffer.from('bücher.example').toString('latin1')) // 'bücher.example'
 */
export function fromLatin1(servername: string): string {
  return /[\x80-\xff]/.test(servername)
    ? Buffer.from(servername, 'latin1').toString('utf8')
    : servername
}

/**
 * The raw server names (as clients sent them, before normalisation) the host policy allowed
 * once, per served key type, each with the certificate that serves it: the handshake path's
 * shortcut from a ClientHello's bytes to a context in memory. Raw spellings are unbounded (case,
 * trailing dots, Unicode forms), so each key type's map is cleared whole when it reaches `limit`;
 * a forgotten name is only asked of the policy again.
 *
 * @example
 * const names = new RawNameMemory(['ec-p256'], 20_000)
 * names.remember('ec-p256', 'Example.COM', certificateId('example.com', 'ec-p256'))
 * names.get('ec-p256', 'Example.COM')?.key // 'example.com/ec-p256'
 */
export class RawNameMemory {
  readonly #byKeyType = new Map<ServedKeyType, Map<string, CertificateId>>()
  readonly #limit: number

  constructor(keyTypes: readonly ServedKeyType[], limit: number) {
    this.#limit = limit
    for (const keyType of keyTypes) this.#byKeyType.set(keyType, new Map())
  }

  /** Remembers that `rawName` was allowed and is served by `id` (a key type not served: ignored). */
  remember(keyType: ServedKeyType, rawName: string, id: CertificateId): void {
    const known = this.#byKeyType.get(keyType)
    if (known === undefined) return
    if (known.size >= this.#limit) known.clear()
    known.set(rawName, id)
  }

  /**
   * The certificate serving `rawName` when it was allowed before, as sent or (Node hands SNI
   * bytes over as latin1) as the UTF-8 name a client sent raw; else `undefined`.
   */
  get(keyType: ServedKeyType, rawName: string): CertificateId | undefined {
    const known = this.#byKeyType.get(keyType)
    const id = known?.get(rawName)
    if (id !== undefined || known === undefined) return id
    const decoded = fromLatin1(rawName)
    return decoded === rawName ? undefined : known.get(decoded)
  }

  /** Forgets every name. */
  clear(): void {
    for (const known of this.#byKeyType.values()) known.clear()
  }
}
