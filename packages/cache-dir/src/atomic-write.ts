import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** File mode of everything the cache writes: owner read and write only. */
export const FILE_MODE = 0o600

/** A temporary file name beside `path`: starts with `.`, so it can never be a key's file. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
}

/** Writes `data` to a new private file at `path` (which must not exist) and flushes it to disk. */
export async function writeNewFile(
  path: string,
  data: Uint8Array | string,
  signal?: AbortSignal,
): Promise<void> {
  const handle = await open(path, 'wx', FILE_MODE)
  try {
    await handle.chmod(FILE_MODE)
    await handle.writeFile(data, { signal })
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Flushes a directory entry change (create, rename, link) to disk. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Runs `commit` (the rename that makes a write visible) or refuses by throwing instead. */
export type CommitGuard = (commit: () => Promise<void>) => Promise<void>

const unguarded: CommitGuard = (commit) => commit()

/**
 * Replaces `path` with `data` atomically: writes a temporary file in the same directory, flushes
 * it, renames it over `path` and flushes the directory. A reader, or a reboot, sees the old
 * content or the new one, never a mix or an empty file. `guard` wraps the rename alone (a fenced
 * write checks its token there, keeping the checked step short). Rejects with ENOENT when the
 * directory is missing; the temporary file never outlives a failure of this process.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  signal?: AbortSignal,
  guard: CommitGuard = unguarded,
): Promise<void> {
  const temp = tempPathFor(path)
  try {
    await writeNewFile(temp, data, signal)
    signal?.throwIfAborted()
    await guard(() => rename(temp, path))
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw error
  }
  await syncDir(dirname(path))
}
