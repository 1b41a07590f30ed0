import type { ServedKeyType } from './client-key-type.js'

/** The identity of one managed certificate: a normalised name and the key type it is served with. */
export interface CertificateId {
  /** Normalised (lowercase, ASCII, no trailing dot) and allowed by the host policy. */
  readonly name: string
  readonly keyType: ServedKeyType
  /** `name/keyType`: the key of every per-certificate map. */
  readonly key: string
}

/**
 * The {@link CertificateId} of `name` (already normalised and allowed) served as `keyType`.
 *
 * @example
 * certificateId('example.com', 'ec-p256').key // 'example.com/ec-p256'
 */
export function certificateId(name: string, keyType: ServedKeyType): CertificateId {
  return { name, keyType, key: `${name}/${keyType}` }
}
