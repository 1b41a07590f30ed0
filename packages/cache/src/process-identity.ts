import { createHash } from 'node:crypto'
import { readFileSync, readlinkSync } from 'node:fs'

/**
 * Who holds a lock, precisely enough to tell on the same host whether that process still runs:
 * a pid alone can be reused by an unrelated process, a pid with its start time cannot.
 */
export interface ProcessIdentity {
  /** The process id. */
  pid: number
  /** When the process started, in clock ticks since boot (`/proc/<pid>/stat` field 22); `''` when unknown. */
  start: string
  /**
   * The pid space the pid is valid in: the kernel's boot id and the pid namespace. Equal spaces
   * mean the same running kernel and the same pid numbering; `''` when unknown (not Linux).
   */
  space: string
}

function readOrEmpty(read: () => string): string {
  try {
    return read().trim()
  } catch {
    return ''
  }
}

/** Fields 3… of `/proc/<pid>/stat` (state first), or undefined when the process does not exist. */
function statFields(pid: number | 'self'): string[] | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // Field 2 is the command name in parentheses and may itself hold spaces and parentheses.
  return text.slice(text.lastIndexOf(')') + 2).split(' ')
}

let own: ProcessIdentity | undefined

/**
 * This process's identity, to record in a lock a backend grants it.
 *
 * @example
 * ```ts
 * const record = { ...processIdentity(), expiresAt: now() + ttlMs }
 * ```
 */
export function processIdentity(): ProcessIdentity {
  if (own) return own
  const boot = readOrEmpty(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'))
  const namespace = readOrEmpty(() => readlinkSync('/proc/self/ns/pid'))
  const start = statFields('self')?.[19] ?? ''
  own = {
    pid: process.pid,
    start: /^[0-9]+$/.test(start) ? start : '',
    space: boot && namespace ? `${boot}/${namespace}` : '',
  }
  return own
}

/**
 * Whether the process `holder` names has certainly ended: it ran in this process's pid space
 * (same boot, same pid namespace) and its pid is now unused, a zombie, or a different process
 * (another start time). `false` whenever that cannot be known — another host or container, no
 * `/proc`, an identity without a start time — so the caller falls back to the lease's TTL.
 *
 * @example
 * ```ts
 * if (now() >= record.expiresAt || isProcessGone(record)) takeOver()
 * ```
 */
export function isProcessGone(holder: ProcessIdentity): boolean {
  const self = processIdentity()
  if (self.space === '' || holder.space !== self.space || holder.start === '') return false
  if (!Number.isSafeInteger(holder.pid) || holder.pid <= 0) return false
  const fields = statFields(holder.pid)
  if (fields === undefined) return true
  const [state] = fields
  return state === 'Z' || state === 'X' || fields[19] !== holder.start
}

function spaceTag(space: string): string {
  return space === '' ? 'x' : createHash('sha256').update(space).digest('hex').slice(0, 16)
}

const TAG = /^([0-9a-f]{16}|x)-([1-9][0-9]*)-([0-9]*)$/

/**
 * This process's identity as a short token of `[0-9a-fx-]` (`<pid space hash>-<pid>-<start>`),
 * for a backend to embed in a lock value or a file name; {@link isTaggedProcessGone} reads it.
 *
 * @example
 * ```ts
 * const owner = `${randomHex}.${processTag()}`
 * ```
 */
export function processTag(): string {
  const { pid, start, space } = processIdentity()
  return `${spaceTag(space)}-${pid}-${start}`
}

/**
 * {@link isProcessGone} for a {@link processTag}: `true` only when the tagged process ran in this
 * pid space and has certainly ended; `false` for a malformed tag or one from elsewhere.
 *
 * @example
 * ```ts
 * if (isTaggedProcessGone(ownerTag)) deleteIfStillOwnedBy(owner)
 * ```
 */
export function isTaggedProcessGone(tag: string): boolean {
  const match = TAG.exec(tag)
  const { space } = processIdentity()
  if (!match || space === '' || match[1] !== spaceTag(space) || !match[3]) return false
  return isProcessGone({ pid: Number(match[2]), start: match[3], space })
}
