import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** File mode of everything the cache writes: owner read and write only. */
export const FILE_MODE = 0o600

/** A temporary file name beside `path`: starts with `.`, so it can never be a key's file. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
}

/** Options of {@link writeNewFile} and {@link writeFileAtomic}. */
export interface WriteOptions {
  signal?: AbortSignal | undefined
  /**
   * Flush to disk (`fsync` of the file, and of the directory after a rename). Default true. Lock
   * records pass false: only live processes read them, and a record a crash left empty or torn
   * is judged by its age. The generation link that makes a record the newest (the fencing token)
   * is flushed by the lock itself.
   */
  durable?: boolean
}

/** Writes `data` to a new private file at `path` (which must not exist), flushed to disk if durable. */
export async function writeNewFile(
  path: string,
  data: Uint8Array | string,
  { signal, durable = true }: WriteOptions = {},
): Promise<void> {
  const handle = await open(path, 'wx', FILE_MODE)
  try {
    await handle.chmod(FILE_MODE)
    await handle.writeFile(data, { signal })
    if (durable) await handle.sync()
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

/**
 * Runs `commit` (the rename that makes a write visible) once `written` (the temporary file, in
 * progress while the guard prepares) resolved, or refuses by throwing instead. It must await
 * `written` before committing, and may do its own preparation meanwhile.
 */
export type CommitGuard = (written: Promise<void>, commit: () => Promise<void>) => Promise<void>

const unguarded: CommitGuard = async (written, commit) => {
  await written
  await commit()
}

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
  {
    signal,
    durable = true,
    guard = unguarded,
  }: WriteOptions & { guard?: CommitGuard | undefined } = {},
): Promise<void> {
  const temp = tempPathFor(path)
  const written = writeNewFile(temp, data, { signal, durable }).then(() => signal?.throwIfAborted())
  // Handled below in every case; this only keeps an early refusal of the guard from leaving
  // the write's own failure unhandled.
  written.catch(() => {})
  // The directory is flushed as soon as the rename is done, while the guard cleans up after it.
  let synced: Promise<void> | undefined
  try {
    await guard(written, async () => {
      await rename(temp, path)
      if (durable) {
        synced = syncDir(dirname(path))
        synced.catch(() => {})
      }
    })
  } catch (error) {
    await written.catch(() => {})
    await unlink(temp).catch(() => {})
    throw error
  }
  await synced
}
