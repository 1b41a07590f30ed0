import { randomBytes } from 'node:crypto'
import { link, readdir, readFile, stat, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import {
  abortableSleep,
  isProcessGone,
  KeptLease,
  type ProcessIdentity,
  processIdentity,
} from '@autotls/cache/backend'
import { syncDir, tempPathFor, writeFileAtomic, writeNewFile } from './atomic-write.js'
import { ensurePrivateDir } from './private-dir.js'
import { awaitWriters } from './writer-intent.js'

/**
 * What a generation file says about its holder: `pid`, `start` and `space` identify its process
 * (see `processIdentity`), so a waiter on the same host can tell that it is gone.
 */
export interface Holder extends Partial<ProcessIdentity> {
  id: string
  pid: number
  host: string
  expiresAt: number
  released?: true
}

/** Where a lock lives and the clock its expiry is measured on. */
export interface DirLockPlace {
  name: string
  root: string
  segments: readonly string[]
  now: () => number
  /** Told when the lock's directory was created by this call (it holds no leftovers). */
  created?: (dir: string) => void
}

const GENERATION = /^[1-9][0-9]*$/

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>
    if (typeof value.id === 'string' && typeof value.expiresAt === 'number') return value as Holder
  } catch {
    // Unparsable: judged by the file's age instead.
  }
  return undefined
}

/** Whether the holder's process has certainly ended (same host and pid space only). */
function holderGone(holder: Holder): boolean {
  const { pid, start, space } = holder
  if (typeof start !== 'string' || typeof space !== 'string') return false
  return isProcessGone({ pid, start, space })
}

function generationsIn(names: readonly string[]): bigint[] {
  return names.filter((name) => GENERATION.test(name)).map((name) => BigInt(name))
}

async function generations(dir: string): Promise<bigint[]> {
  return generationsIn(await readdir(dir))
}

function newest(gens: readonly bigint[]): bigint {
  let top = 0n
  for (const gen of gens) if (gen > top) top = gen
  return top
}

/** The newest generation of lock directory `dir`, 0 when it has none: the newest fencing token. */
export async function newestGeneration(dir: string): Promise<bigint> {
  return newest(await generations(dir))
}

/**
 * Whether generation `gen` of the lock leaves the lock free for a caller whose TTL is `ttlMs`:
 * released, expired, held by a process of this host that is gone, or unparsable (empty,
 * half-written, foreign) and untouched for `ttlMs`.
 * `undefined` when the file vanished (a newer generation exists: look again).
 */
async function isFree(
  dir: string,
  gen: bigint,
  ttlMs: number,
  now: () => number,
): Promise<boolean | undefined> {
  if (gen === 0n) return true
  const path = join(dir, gen.toString())
  try {
    const holder = parseHolder(await readFile(path, 'utf8'))
    if (holder) return holder.released === true || now() >= holder.expiresAt || holderGone(holder)
    return now() >= (await stat(path)).mtimeMs + ttlMs
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined
    throw error
  }
}

/**
 * Tries to create generation `gen` and become the holder. The file is written in full under a
 * temporary name, then hard-linked to its final name, which fails if it exists: exactly one
 * caller creates each generation, and no one sees it empty or half-written. Cleanup removes
 * old generations, so `gen` may have existed and gone while the caller looked; then a newer
 * generation exists, and the claim is withdrawn. Exported for tests.
 */
export async function claim(dir: string, gen: bigint, holder: Holder): Promise<boolean> {
  return (await claimListing(dir, gen, holder)) !== null
}

/**
 * {@link claim}, resolving the directory's entries as listed once the claim stood (null when it
 * did not): that one listing serves the check, the cleanup and the wait for announced writers.
 * The record is not flushed to disk (see `WriteOptions.durable`), but the new generation's link
 * is, with one `fsync` of the directory before the claim resolves: the generation number is the
 * fencing token, and if the storage's host crashed and lost it while its holder lived on (on
 * another host, or in a container sharing the volume), the next claim would hand out the same
 * token again.
 */
async function claimListing(dir: string, gen: bigint, holder: Holder): Promise<string[] | null> {
  const temp = tempPathFor(join(dir, 'claim'))
  await writeNewFile(temp, JSON.stringify(holder), { durable: false })
  try {
    await link(temp, join(dir, gen.toString()))
  } catch (error) {
    await unlink(temp).catch(() => {})
    if (errno(error) === 'EEXIST') return null
    throw error
  }
  const [names] = await Promise.all([readdir(dir), syncDir(dir), unlink(temp).catch(() => {})])
  if (newest(generationsIn(names)) === gen) return names
  await unlink(join(dir, gen.toString())).catch(() => {})
  return null
}

async function removeOlder(dir: string, gen: bigint, names: readonly string[]): Promise<void> {
  await Promise.all(
    generationsIn(names)
      .filter((g) => g < gen)
      .map((g) => unlink(join(dir, g.toString())).catch(() => {})),
  )
}

/**
 * Acquires a lock stored as a directory of generation files. The holder of the newest generation
 * holds the lock; the lock is free when that file says released or expired. Taking it means
 * creating the next generation, which only one caller can do, and then seeing that it is still
 * the newest (a generation removed by cleanup can be created again by a caller that looked
 * before a newer one appeared; such a claim is withdrawn). The generation number is the fencing
 * token. Before the lease is returned, fenced writes of older holders that checked their token
 * before the new generation existed are waited for (see `awaitWriters`). The newest generation
 * is never removed, so the newest number never goes down. The holder rewrites its own file to
 * renew or release and never touches another generation, so a late holder cannot disturb a newer
 * one.
 */
export async function acquireDirLock(
  place: DirLockPlace,
  ttlMs: number,
  signal: AbortSignal | undefined,
): Promise<KeptLease> {
  const { root, segments, now } = place
  const dir = join(root, ...segments)
  let wait = 5
  for (;;) {
    signal?.throwIfAborted()
    let gens: bigint[]
    try {
      gens = await generations(dir)
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw error
      if (await ensurePrivateDir(root, segments)) place.created?.(dir)
      gens = []
    }
    const top = newest(gens)
    const free = await isFree(dir, top, ttlMs, now)
    if (free === undefined) continue
    if (free) {
      const gen = top + 1n
      const holder: Holder = {
        id: randomBytes(12).toString('hex'),
        ...processIdentity(),
        host: hostname(),
        expiresAt: now() + ttlMs,
      }
      const names = await claimListing(dir, gen, holder)
      if (names) {
        await removeOlder(dir, gen, names)
        const lease = leaseFor(place.name, dir, gen, holder, ttlMs, now)
        try {
          await awaitWriters(dir, names, ttlMs, now, signal)
        } catch (error) {
          await lease.release().catch(() => {})
          throw error
        }
        return lease
      }
      continue
    }
    await abortableSleep(wait * (0.5 + Math.random()), signal)
    wait = Math.min(wait * 1.5, 100, ttlMs / 4)
  }
}

function leaseFor(
  name: string,
  dir: string,
  gen: bigint,
  holder: Holder,
  ttlMs: number,
  now: () => number,
): KeptLease {
  const path = join(dir, gen.toString())
  const superseded = async (): Promise<boolean> => newest(await generations(dir)) > gen
  return new KeptLease({
    name,
    token: gen.toString(),
    ttlMs,
    expiresAt: holder.expiresAt,
    now,
    renew: async () => {
      if (await superseded()) return null
      const expiresAt = now() + ttlMs
      await writeFileAtomic(path, JSON.stringify({ ...holder, expiresAt }), { durable: false })
      return expiresAt
    },
    release: async () => {
      if (await superseded()) return
      await writeFileAtomic(path, JSON.stringify({ ...holder, expiresAt: 0, released: true }), {
        durable: false,
      })
    },
  })
}
