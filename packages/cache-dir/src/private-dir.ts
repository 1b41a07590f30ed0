import { chmod, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** Directory mode of everything the cache creates: owner only. */
export const DIR_MODE = 0o700

/**
 * Creates `root` and `segments` below it (with any missing parents of `root`), each directory
 * this call creates with mode 0700 set explicitly (a `mkdir` mode is filtered by the umask, so
 * it is applied again with chmod). One recursive `mkdir`: a path that exists costs one call.
 * Resolves true when this call created the innermost directory (it is empty but for what other
 * processes put there since).
 */
export async function ensurePrivateDir(
  root: string,
  segments: readonly string[],
): Promise<boolean> {
  const target = join(root, ...segments)
  const first = await mkdir(target, { recursive: true, mode: DIR_MODE })
  if (first === undefined) return false
  const made = [target]
  for (let path = target; path !== first; ) {
    path = dirname(path)
    made.push(path)
  }
  await Promise.all(made.map((path) => chmod(path, DIR_MODE)))
  return true
}
