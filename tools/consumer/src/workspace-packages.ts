import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root directory. */
export const REPO_ROOT: string = fileURLToPath(new URL('../../../', import.meta.url))

/** One workspace package as found on disk. */
export interface WorkspacePackage {
  /** Its npm name, e.g. `@autotls/acme`. */
  readonly name: string
  /** Absolute path of its directory. */
  readonly dir: string
  /** Its package.json as parsed. */
  readonly manifest: Readonly<Record<string, unknown>>
  /** `false` for the packages published to npm. */
  readonly private: boolean
}

/**
 * Every package under `packages/` (or another workspace group), read from disk, so a package
 * added there is covered without editing a list.
 *
 * @example
 * const published = (await workspacePackages()).filter((p) => !p.private)
 */
export async function workspacePackages(group = 'packages'): Promise<WorkspacePackage[]> {
  const base = join(REPO_ROOT, group)
  const found: WorkspacePackage[] = []
  for (const entry of (await readdir(base, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!entry.isDirectory()) continue
    const dir = join(base, entry.name)
    const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined)
    if (text === undefined) continue
    const manifest = JSON.parse(text) as Record<string, unknown>
    found.push({
      name: String(manifest.name),
      dir,
      manifest,
      private: manifest.private === true,
    })
  }
  return found
}
