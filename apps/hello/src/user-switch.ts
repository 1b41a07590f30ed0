import { chmod, lchown, lstat, mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { HelloError } from './hello-error.js'
import { systemCode } from './system-code.js'

/** A numeric user and group. */
export interface RunAs {
  readonly uid: number
  readonly gid: number
}

/** True when this process runs as root and so must prepare for and switch to `runAs`. */
export function mustSwitchUser(runAs: RunAs | undefined): runAs is RunAs {
  return runAs !== undefined && process.getuid?.() === 0
}

/**
 * Run as root, before switching: creates `dir` when missing and gives it and everything in it to
 * `runAs`, the directory with mode 0700. This is what lets a root-owned host directory
 * bind-mounted at `/certs` (what `docker run -v /certs:/certs` creates) work as typed. Symbolic
 * links are re-owned themselves, never followed.
 */
export async function prepareCertsDir(dir: string, runAs: RunAs): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await chownTree(dir, runAs)
    await chmod(dir, 0o700)
  } catch (error) {
    throw new HelloError(
      'ERR_HELLO_CERTS_DIR',
      `CERTS_DIR ${dir} cannot be prepared for uid ${runAs.uid} (${systemCode(error)}): mount a writable directory or volume there`,
      { cause: error },
    )
  }
}

async function chownTree(path: string, runAs: RunAs): Promise<void> {
  const info = await lstat(path)
  if (info.uid !== runAs.uid || info.gid !== runAs.gid) await lchown(path, runAs.uid, runAs.gid)
  if (!info.isDirectory()) return
  for (const entry of await readdir(path)) await chownTree(join(path, entry), runAs)
}

/** Switches this process (group first, then user) to `runAs`, dropping root's other groups. */
export function switchUser(runAs: RunAs): void {
  process.setgroups?.([runAs.gid])
  process.setgid?.(runAs.gid)
  process.setuid?.(runAs.uid)
}
