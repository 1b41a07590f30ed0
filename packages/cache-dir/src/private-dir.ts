import { chmod, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** Directory mode of everything the cache creates: owner only. */
export const DIR_MODE = 0o700

/**
 * Creates `root` (with any missing parents) and then each of `segments` below it that is missing,
 * each with mode 0700 set explicitly (a `mkdir` mode is filtered by the umask, so it is applied again with chmod).
 * Resolves true when this call created the innermost directory (it is empty but for what other
 * processes put there since).
 */
export async function ensurePrivateDir(
  root: string,
  segments: readonly string[],
): Promise<boolean> {
  let created = false
  const first = await mkdir(root, { recursive: true, mode: DIR_MODE })
  if (first !== undefined) {
    const made = [root]
    for (let path = root; path !== first; ) {
      path = dirname(path)
      made.unshift(path)
    }
    for (const path of made) await chmod(path, DIR_MODE)
    created = true
  }
  let path = root
  for (const segment of segments) {
    path = join(path, segment)
    try {
      await mkdir(path, { mode: DIR_MODE })
      await chmod(path, DIR_MODE)
      created = true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      created = false
    }
  }
  return created
}
