import { join, resolve, sep } from 'node:path'
import { CacheError } from '@autotls/cache'
import { assertValidKey } from '@autotls/cache/backend'

/**
 * Suffix of the file holding a key's value. `~` never occurs in a key, so the value file of
 * `a/b` (`a/b~`) and the directory holding `a/b/c` (`a/b/`) never collide.
 */
const VALUE_SUFFIX = '~'
/** Suffix of the directory holding a lock's generation files. */
const LOCK_SUFFIX = '~lock'
/** Top-level directory of the locks: a key segment never starts with `.`, so no key lands here. */
const LOCKS_DIR = '.locks'

function inside(dir: string, segments: string[], suffix: string): string[] {
  const root = resolve(dir)
  const last = segments.length - 1
  const parts = segments.map((segment, i) => (i === last ? segment + suffix : segment))
  const path = join(root, ...parts)
  if (!path.startsWith(root + sep)) {
    throw new CacheError('ERR_CACHE_INVALID_KEY', `key maps outside the cache directory: ${path}`)
  }
  return parts
}

/**
 * The path segments, relative to the cache directory, of the file holding `key`'s value. Throws
 * `ERR_CACHE_INVALID_KEY` for an invalid key and, as a second line of defence, for any key whose
 * path would resolve outside `dir`.
 */
export function valuePath(dir: string, key: string): string[] {
  assertValidKey(key)
  return inside(dir, key.split('/'), VALUE_SUFFIX)
}

/** The path segments, relative to the cache directory, of lock `name`'s directory. */
export function lockPath(dir: string, name: string): string[] {
  assertValidKey(name)
  return inside(dir, [LOCKS_DIR, ...name.split('/')], LOCK_SUFFIX)
}
