import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { staleLeaseError, type WriteFence } from '@autotls/cache/backend'
import type { CommitGuard } from './atomic-write.js'
import { newestGeneration } from './dir-lock.js'
import { lockPath } from './key-path.js'
import { ensurePrivateDir } from './private-dir.js'
import { announceWriter } from './writer-intent.js'

/**
 * The guard of a write fenced by `fence`: announces the write in the lock's directory (while the
 * value's temporary file is being written), then refuses
 * it with `ERR_CACHE_STALE_LEASE` when a newer generation of the lock exists, else commits it,
 * then withdraws the announcement. A new holder's `lock()` waits for announced writes before it
 * resolves, so a write either checked after the new generation existed (and was refused) or
 * landed before the new holder could write.
 */
export function fencedCommit(root: string, fence: WriteFence): CommitGuard {
  const segments = lockPath(root, fence.name)
  const dir = join(root, ...segments)
  return async (written, commit) => {
    let intent: string
    try {
      intent = await announceWriter(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      await ensurePrivateDir(root, segments)
      intent = await announceWriter(dir)
    }
    try {
      // The value was being written while the announcement was made: the checked step starts now.
      await written
      const newest = await newestGeneration(dir)
      if (newest > fence.token) throw staleLeaseError(fence, newest)
      await commit()
    } finally {
      await unlink(intent).catch(() => {})
    }
  }
}
