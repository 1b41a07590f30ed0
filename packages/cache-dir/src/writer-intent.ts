import { randomBytes } from 'node:crypto'
import { open, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { abortableSleep, isTaggedProcessGone, processTag } from '@autotls/cache/backend'

/**
 * Writer intents are named `.w.<process tag>.<random>`: the leading `.` keeps them apart from
 * generation files, and the name alone says which process wrote it (see `processTag`), so an
 * intent is complete the moment it exists.
 */
const INTENT = /^\.w\.([0-9a-fx-]+)\.[0-9a-f]{12}$/

let madeTag: string | undefined

/** This process's {@link processTag} (a hash each time it is made), made once. */
function ownTag(): string {
  madeTag ??= processTag()
  return madeTag
}

/**
 * Announces, in lock directory `dir`, a fenced write about to check its token: creates an empty
 * file named after this process and returns its path. Remove it once the write is done.
 */
export async function announceWriter(dir: string): Promise<string> {
  const path = join(dir, `.w.${ownTag()}.${randomBytes(6).toString('hex')}`)
  await (await open(path, 'wx', 0o600)).close()
  return path
}

/**
 * Waits until every fenced write announced in lock directory `dir` (whose entries, listed after
 * the new generation was created, are `names`) has finished, so that a new holder's lease is
 * returned only after any stale write that checked its token before the new generation existed
 * has landed. An intent whose process is gone (same pid space) is removed at once; one whose
 * process cannot be checked (another host or container) is removed once untouched for `ttlMs`.
 * A live writer on this host is waited for.
 */
export async function awaitWriters(
  dir: string,
  names: readonly string[],
  ttlMs: number,
  now: () => number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const own = ownTag().split('-')[0]
  for (const name of names) {
    const tag = INTENT.exec(name)?.[1]
    if (tag === undefined) continue
    const path = join(dir, name)
    const checkable = own !== 'x' && tag.startsWith(`${own}-`) && !tag.endsWith('-')
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      let modified: number
      try {
        modified = (await stat(path)).mtimeMs
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') break
        throw error
      }
      if (checkable ? isTaggedProcessGone(tag) : now() - modified >= ttlMs) {
        await unlink(path).catch(() => {})
        break
      }
      await abortableSleep(wait, signal)
    }
  }
}
