import { access, constants } from 'node:fs/promises'
import { delimiter, isAbsolute, join } from 'node:path'

/** The executable `name` resolves to (on PATH, or as given when it contains a slash), or null. */
export async function findOnPath(name: string): Promise<string | null> {
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
  return null
}
