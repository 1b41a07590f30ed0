import { execFile } from 'node:child_process'
import { readFile, realpath } from 'node:fs/promises'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Where a Pebble binary's version was read from. */
export type PebbleVersionSource = 'go-build-info' | 'dpkg' | 'unknown'

/** A Pebble binary's release, e.g. `2.10.1`, or null when neither source names one. */
export interface PebbleVersion {
  readonly version: string | null
  readonly source: PebbleVersionSource
}

/*
 * `pebble -version` prints "dev" for a `go install` build and Debian's 2.4.0 has no -version
 * flag. A module build carries its module path and version in the binary's build info (what
 * `go version -m` prints), in plain text: read it without needing Go on the PATH.
 */
const BUILD_INFO = /\tgithub\.com\/letsencrypt\/pebble(?:\/v\d+)?\tv(\d+\.\d+\.\d+)[\t\n]/

/**
 * Reads which Pebble release `binary` is: from the Go build info embedded in it (`go install`
 * builds), else from the Debian package that owns the file (Debian builds carry no version).
 */
export async function readPebbleVersion(binary: string): Promise<PebbleVersion> {
  const fromBuildInfo = BUILD_INFO.exec((await readFile(binary)).toString('latin1'))?.[1]
  if (fromBuildInfo) return { version: fromBuildInfo, source: 'go-build-info' }
  const fromDpkg = await dpkgVersion(await realpath(binary))
  if (fromDpkg) return { version: fromDpkg, source: 'dpkg' }
  return { version: null, source: 'unknown' }
}

async function dpkgVersion(path: string): Promise<string | null> {
  try {
    const owner = (await run('dpkg-query', ['--search', path])).stdout.split(':')[0]?.trim()
    if (!owner) return null
    // `dpkg-query --show` prints "<package>\t<version>", e.g. "pebble\t2.4.0-1+b5".
    const { stdout } = await run('dpkg-query', ['--show', owner])
    return /\t(?:\d+:)?(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? null
  } catch {
    // No dpkg, or no package owns the file.
    return null
  }
}

/** Compares two `x.y.z` versions: negative, zero or positive like a sort comparator. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}
