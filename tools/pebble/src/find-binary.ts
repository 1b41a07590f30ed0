import { access, constants } from 'node:fs/promises'
import { delimiter, isAbsolute, join } from 'node:path'
import { PebbleError } from './errors.js'

/** Resolves `name` on PATH (or as given, when it contains a slash) to an executable path. */
export async function findBinary(name: string, installHint: string): Promise<string> {
  const candidates = name.includes('/')
    ? [isAbsolute(name) ? name : join(process.cwd(), name)]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name))
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // Try the next directory.
    }
  }
  throw new PebbleError('ERR_PEBBLE_NOT_FOUND', `${name} not found: ${installHint}`)
}
