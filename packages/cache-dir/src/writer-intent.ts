import { createHash, randomBytes } from 'node:crypto'
import { open, readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import {
  abortableSleep,
  isProcessGone,
  type ProcessIdentity,
  processIdentity,
} from '@autotls/cache/backend'

/**
 * Names of writer intents: `.w-<pid space hash>-<pid>-<start time>-<random>`. The leading `.`
 * keeps them apart from generation files and keys; the name alone says who wrote it, so an
 * intent is complete the moment it exists.
 */
const INTENT = /^\.w-([0-9a-f]{16}|x)-([0-9]+)-([0-9]*)-[0-9a-f]{12}$/

function spaceTag(space: string): string {
  return space === '' ? 'x' : createHash('sha256').update(space).digest('hex').slice(0, 16)
}

/**
 * Announces, in lock directory `dir`, a fenced write about to check its token: creates an empty
 * file named after this process and returns its path. Remove it once the write is done.
 */
export async function announceWriter(dir: string): Promise<string> {
  const { pid, start, space } = processIdentity()
  const path = join(dir, `.w-${spaceTag(space)}-${pid}-${start}-${randomBytes(6).toString('hex')}`)
  await (await open(path, 'wx', 0o600)).close()
  return path
}

/** The writer an intent names, when it ran in this pid space with a known start time. */
function checkableWriter(name: string): ProcessIdentity | undefined {
  const match = INTENT.exec(name)
  const { space } = processIdentity()
  if (!match || space === '' || match[1] !== spaceTag(space) || !match[3]) return undefined
  return { pid: Number(match[2]), start: match[3], space }
}

/**
 * Waits until every fenced write announced in lock directory `dir` before this call has
 * finished, so that a new holder's lease is returned only after any stale write that checked its
 * token before the new generation existed has landed. An intent whose process is gone (same pid
 * space) is removed at once; one whose process cannot be checked (another host or container) is
 * removed once untouched for `ttlMs`. A live writer on this host is waited for.
 */
export async function awaitWriters(
  dir: string,
  ttlMs: number,
  now: () => number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const names = (await readdir(dir)).filter((name) => name.startsWith('.w-'))
  for (const name of names) {
    const path = join(dir, name)
    const writer = checkableWriter(name)
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      let modified: number
      try {
        modified = (await stat(path)).mtimeMs
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') break
        throw error
      }
      if (writer ? isProcessGone(writer) : now() - modified >= ttlMs) {
        await unlink(path).catch(() => {})
        break
      }
      await abortableSleep(wait, signal)
    }
  }
}
