import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildGoProgram } from './go-build.js'
import { BENCH_DIR } from './repo-paths.js'
import { runCommand } from './run-command.js'

/** Certificates from a throwaway local CA, one per name, on disk. */
export interface LocalCertificates {
  /** The root to trust (the chains hold leaf and intermediate). */
  readonly rootPem: string
  readonly names: readonly string[]
  /** Path of `name`'s PKCS#8 key followed by its chain. */
  file(name: string): string
  /** Removes the files. */
  remove(): Promise<void>
}

/**
 * Issues an ECDSA P-256 certificate (90 days, leaf + intermediate) for each name from a fresh local
 * CA, with the `go-certs` helper (10,000 names take a few seconds) — no ACME CA involved.
 *
 * @example
 * const certs = await createLocalCertificates(['a.test', 'b.test'])
 * const pem = await readFile(certs.file('a.test'), 'utf8')
 */
export async function createLocalCertificates(
  names: readonly string[],
  options: { signal?: AbortSignal } = {},
): Promise<LocalCertificates> {
  const tool = await buildGoProgram(join(BENCH_DIR, 'go-certs'), options)
  const dir = await mkdtemp(join(tmpdir(), 'autotls-bench-certs-'))
  try {
    await writeFile(join(dir, 'names.txt'), `${names.join('\n')}\n`)
    const out = join(dir, 'out')
    await mkdir(out, { mode: 0o700 })
    await runCommand(tool, ['-out', out, '-names', join(dir, 'names.txt')], options)
    return {
      rootPem: await readFile(join(out, 'root.pem'), 'utf8'),
      names,
      file: (name) => join(out, `${name}.pem`),
      remove: () => rm(dir, { recursive: true, force: true }),
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}
