import { setMaxListeners } from 'node:events'
import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { certificateKey } from '@autotls/cache'
import { dirCache } from '@autotls/cache-dir'
import type { LocalCertificates } from './local-ca.js'

async function inBatches<T>(
  items: readonly T[],
  size: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run))
}

/**
 * Puts every certificate of `certs` where a server finds it already cached: in an
 * `@autotls/cache-dir` directory for apps/hello (through `dirCache().put`, the manager's own
 * entry format: key then chain, ECDSA key type `ec-p256`), and/or in an autocert `DirCache`
 * directory for the Go seed (one file per name holding key and chain, as autocert writes it).
 *
 * @example
 * await seedCertificateCaches(certs, { managerDir: helloCerts, autocertDir: goCerts })
 */
export async function seedCertificateCaches(
  certs: LocalCertificates,
  targets: { managerDir?: string; autocertDir?: string; signal?: AbortSignal },
): Promise<void> {
  const store = targets.managerDir === undefined ? undefined : dirCache({ dir: targets.managerDir })
  if (targets.autocertDir !== undefined)
    await mkdir(targets.autocertDir, { recursive: true, mode: 0o700 })
  const signal = targets.signal
  // Every read and write of the 64 in flight may listen on the signal.
  if (signal) setMaxListeners(0, signal)
  await inBatches(certs.names, 64, async (name) => {
    if (store) {
      const bytes = await readFile(certs.file(name), signal ? { signal } : {})
      await store.put(
        certificateKey(name, 'ec-p256'),
        new Uint8Array(bytes),
        signal ? { signal } : {},
      )
    }
    if (targets.autocertDir !== undefined)
      await copyFile(certs.file(name), join(targets.autocertDir, name))
  })
  await store?.close()
}
