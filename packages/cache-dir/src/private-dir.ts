import { chmod, mkdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'

/** Directory mode of everything the cache creates: owner only. */
export const DIR_MODE = 0o700

/**
 * The directories a recursive `mkdir` of `target` created, given the first one it reports
 * (`first`): `target` and its parents up to `first`, all resolved, so another spelling of the same
 * path (relative, a trailing `/`) still meets `first`. The walk stops at the file system's root:
 * should `first` not be one of `target`'s parents after all, only `target` is known to be new.
 * Exported for tests.
 */
export function createdDirs(target: string, first: string): string[] {
  const top = resolve(first)
  const made: string[] = []
  for (let path = resolve(target); ; path = dirname(path)) {
    made.push(path)
    if (path === top) return made
    if (dirname(path) === path) return made.slice(0, 1)
  }
}

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
  await Promise.all(createdDirs(target, first).map((path) => chmod(path, DIR_MODE)))
  return true
}
