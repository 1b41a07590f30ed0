import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeCache, suspendRenewal } from '@autotls/cache/testing'
import { dirCache } from '../src/index.js'

describeCache('dirCache', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autotls-cache-dir-'))
  const store = dirCache({ dir: join(dir, 'cache') })
  return {
    get: store.get,
    put: store.put,
    delete: store.delete,
    lock: store.lock,
    suspendRenewal,
    close: async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
})
