import { chmod, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** Directory mode of everything the cache creates: owner only. */
export const DIR_MODE = 0o700

/**
 * Creates `root` (with any missing parents) and then each of `segments` below it that is missing,
 * each with mode 0700 set explicitly (a `mkdir` mode is filtered by the umask, so it is applied again with chmod).
 */
export async function ensurePrivateDir(root: string, segments: readonly string[]): Promise<void> {
  const first = await mkdir(root, { recursive: true, mode: DIR_MODE })
  if (first !== undefined) {
    const created = [root]
    for (let path = root; path !== first; ) {
      path = dirname(path)
      created.unshift(path)
    }
    for (const path of created) await chmod(path, DIR_MODE)
  }
  let path = root
  for (const segment of segments) {
    path = join(path, segment)
    try {
      await mkdir(path, { mode: DIR_MODE })
      await chmod(path, DIR_MODE)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
}
