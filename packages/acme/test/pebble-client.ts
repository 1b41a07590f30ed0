import { generateKeyPair, type KeyType } from '@autotls/crypto'
import type { Pebble } from '@autotls/pebble'
import { AcmeClient } from '../src/index.js'

/** A client for `pebble` with a fresh account key, registered unless `register` is false. */
export async function pebbleClient(
  pebble: Pebble,
  options: { keyType?: KeyType; register?: boolean } = {},
): Promise<AcmeClient> {
  const client = new AcmeClient({
    directoryUrl: pebble.directoryUrl,
    accountKey: await generateKeyPair(options.keyType ?? 'ec-p256'),
    caPem: pebble.caPem,
  })
  if (options.register !== false) await client.createAccount({ termsOfServiceAgreed: true })
  return client
}
