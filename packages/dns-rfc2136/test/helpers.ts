import { AcmeClient, generateKeyPair } from '@autotls/acme'
import { DnsError, type DnsProvider, type TxtRecord } from '@autotls/dns'
import type { Pebble } from '@autotls/pebble'

/** A client for `pebble` with a fresh registered account (so no authorization is reused). */
export async function pebbleClient(pebble: Pebble): Promise<AcmeClient> {
  const client = new AcmeClient({
    directoryUrl: pebble.directoryUrl,
    accountKey: await generateKeyPair('ec-p256'),
    caPem: pebble.caPem,
  })
  await client.createAccount({ termsOfServiceAgreed: true })
  return client
}

/** The DnsError in `error`'s cause chain, if any. */
export function dnsErrorIn(error: unknown): DnsError | undefined {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof DnsError) return e
  }
  return undefined
}

/** A provider that records every call it passes on, with the zone it named. */
export function recording(provider: DnsProvider): DnsProvider & {
  readonly calls: { op: 'add' | 'delete'; zone: string; records: readonly TxtRecord[] }[]
} {
  const calls: { op: 'add' | 'delete'; zone: string; records: readonly TxtRecord[] }[] = []
  return {
    calls,
    async addTxtRecords(zone, records, options) {
      calls.push({ op: 'add', zone, records })
      await provider.addTxtRecords(zone, records, options)
    },
    async deleteTxtRecords(zone, records, options) {
      calls.push({ op: 'delete', zone, records })
      await provider.deleteTxtRecords(zone, records, options)
    },
  }
}

/** Resolves once `check` returns true, polling every 20 ms, or rejects after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
