import { PebbleError } from './errors.js'
import { findOnPath } from './find-on-path.js'

/** Resolves `name` like {@link findOnPath}, or fails with one line saying how to install it. */
export async function findBinary(name: string, installHint: string): Promise<string> {
  const found = await findOnPath(name)
  if (found === null)
    throw new PebbleError('ERR_PEBBLE_NOT_FOUND', `${name} not found: ${installHint}`)
  return found
}
