import { readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * How old a temporary file must be before it is taken for a leftover. A write in progress holds
 * its file for milliseconds; ten minutes leaves room for a stalled disk without keeping debris.
 */
export const STALE_TEMP_MS: number = 10 * 60_000

/** The names {@link tempPathFor} makes: `.<name>.<12 hex digits>.tmp`. */
const TEMP_NAME = /^\..+\.[0-9a-f]{12}\.tmp$/

/**
 * Removes the temporary files in `dir` that a writer killed mid-write left behind (modified more
 * than {@link STALE_TEMP_MS} before `now`). Only names of the temporary-file pattern are touched;
 * files that vanish meanwhile (another process sweeping) are skipped. Returns how many it removed.
 */
export async function removeStaleTempFiles(dir: string, now: number): Promise<number> {
  let removed = 0
  for (const name of await readdir(dir)) {
    if (!TEMP_NAME.test(name)) continue
    const path = join(dir, name)
    try {
      const { mtimeMs } = await stat(path)
      if (now - mtimeMs <= STALE_TEMP_MS) continue
      await unlink(path)
      removed++
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  return removed
}
