import { access, constants, realpath } from 'node:fs/promises'
import { homedir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { PebbleError } from './errors.js'
import { findOnPath } from './find-on-path.js'
import {
  featuresOf,
  PEBBLE_FEATURE_SINCE,
  PEBBLE_INSTALL_COMMAND,
  type PebbleFeature,
  type PebbleFeatures,
} from './pebble-features.js'
import { compareVersions, type PebbleVersionSource, readPebbleVersion } from './pebble-version.js'
import { type PebbleRequirement, skipUnless } from './skip-unless.js'

/** The Pebble the tests run against: its binaries, release and features. */
export interface PebbleInstall {
  readonly pebbleBinary: string
  readonly challtestsrvBinary: string
  /** The release, e.g. `2.10.1`; null when it cannot be read (then no feature is assumed). */
  readonly version: string | null
  readonly versionSource: PebbleVersionSource
  readonly features: PebbleFeatures
  /** One line for test names and logs, e.g. `Pebble 2.10.1 (/root/go/bin/pebble)`. */
  readonly description: string
  /**
   * Options for vitest's `describe` / `it` that skip the tests, saying why and how to install a
   * newer Pebble, unless this Pebble has every feature named.
   *
   * @example
   * const install = await findPebbleInstall()
   * describe(`ARI against ${install.description}`, install.requires('ari'), () => { ... })
   */
  requires(...features: PebbleFeature[]): PebbleRequirement
}

/** Overrides for {@link findPebbleInstall}; by default both binaries are searched for. */
export interface PebbleInstallOptions {
  pebbleBinary?: string
  challtestsrvBinary?: string
}

const DEBIAN_HINT = 'apt-get install -y pebble'

let defaultInstall: Promise<PebbleInstall> | undefined

/**
 * Names the Pebble binary to use instead of searching, e.g. Debian's `/usr/bin/pebble` to see
 * what a machine without a newer Pebble runs and skips.
 */
export const PEBBLE_BINARY_ENV = 'AUTOTLS_PEBBLE_BINARY'

/**
 * Finds the newest Pebble (or the one `$AUTOTLS_PEBBLE_BINARY` names): every `pebble` in Go's install directories (`$GOBIN`, `$GOPATH/bin`,
 * `~/go/bin`) and on the PATH is read for its release, and the highest wins (an unreadable one
 * ranks last, an earlier directory wins a tie). pebble-challtestsrv is taken from the same
 * directory when it is there. The default search runs once per process.
 */
export function findPebbleInstall(options: PebbleInstallOptions = {}): Promise<PebbleInstall> {
  if (options.pebbleBinary === undefined && options.challtestsrvBinary === undefined) {
    const fromEnv = process.env[PEBBLE_BINARY_ENV]
    defaultInstall ??= locate(fromEnv ? { pebbleBinary: fromEnv } : {})
    return defaultInstall
  }
  return locate(options)
}

async function locate(options: PebbleInstallOptions): Promise<PebbleInstall> {
  const pebbleBinary =
    options.pebbleBinary === undefined ? await newestPebble() : await required(options.pebbleBinary)
  const { version, source } = await readPebbleVersion(pebbleBinary)
  const challtestsrvBinary = await required(
    options.challtestsrvBinary ??
      ((await executable(join(dirname(pebbleBinary), 'pebble-challtestsrv')))
        ? join(dirname(pebbleBinary), 'pebble-challtestsrv')
        : 'pebble-challtestsrv'),
  )
  const features = featuresOf(version)
  const description = `Pebble ${version ?? '(unknown version)'} (${pebbleBinary})`
  return {
    pebbleBinary,
    challtestsrvBinary,
    version,
    versionSource: source,
    features,
    description,
    requires: (...wanted): PebbleRequirement => {
      const missing = wanted.filter((feature) => !features[feature])
      const since = missing
        .map((f) => PEBBLE_FEATURE_SINCE[f])
        .sort(compareVersions)
        .at(-1)
      return skipUnless(
        missing.length === 0,
        `needs Pebble >= ${since} (${missing.join(', ')}), found ${version ?? 'an unknown version'} at ${pebbleBinary}: ${PEBBLE_INSTALL_COMMAND}`,
      )
    },
  }
}

async function required(name: string): Promise<string> {
  const found = await findOnPath(name)
  if (found === null) {
    throw new PebbleError(
      'ERR_PEBBLE_NOT_FOUND',
      `${name} not found: ${PEBBLE_INSTALL_COMMAND} or ${DEBIAN_HINT}`,
    )
  }
  return found
}

async function newestPebble(): Promise<string> {
  const env = process.env
  const goDirs = [
    env.GOBIN,
    ...(env.GOPATH ?? '').split(delimiter).map((p) => (p ? join(p, 'bin') : undefined)),
    join(homedir(), 'go', 'bin'),
  ]
  const dirs = [...goDirs, ...(env.PATH ?? '').split(delimiter)].filter(
    (d): d is string => d !== undefined && d !== '',
  )
  const seen = new Set<string>()
  let best: { path: string; version: string | null } | undefined
  for (const dir of dirs) {
    const path = join(dir, 'pebble')
    if (!(await executable(path))) continue
    const real = await realpath(path)
    if (seen.has(real)) continue
    seen.add(real)
    const { version } = await readPebbleVersion(path)
    if (!best || newer(version, best.version)) best = { path, version }
  }
  if (!best) {
    throw new PebbleError(
      'ERR_PEBBLE_NOT_FOUND',
      `pebble not found: ${PEBBLE_INSTALL_COMMAND} or ${DEBIAN_HINT}`,
    )
  }
  return best.path
}

function newer(candidate: string | null, current: string | null): boolean {
  if (candidate === null) return false
  return current === null || compareVersions(candidate, current) > 0
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}
