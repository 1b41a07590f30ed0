import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findTool } from './find-tool.js'
import { BENCH_DIR } from './repo-paths.js'
import { runCommand } from './run-command.js'

/**
 * Compiles (once, cached by source hash) `native/no-resume.c`, the LD_PRELOAD shim that stops
 * h2load from resuming TLS sessions, and resolves the shared object's path. Needs gcc.
 *
 * @example
 * const env = { ...process.env, LD_PRELOAD: await noResumeShim() }
 * @see https://www.rfc-editor.org/rfc/rfc8446#section-2.2
 */
export async function noResumeShim(options: { signal?: AbortSignal } = {}): Promise<string> {
  const source = join(BENCH_DIR, 'native', 'no-resume.c')
  const text = await readFile(source)
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16)
  const dir = join(tmpdir(), 'autotls-bench-native')
  const library = join(dir, `no-resume-${hash}.so`)
  if (
    await stat(library).then(
      () => true,
      () => false,
    )
  )
    return library
  const gcc = await findTool('gcc', 'gcc')
  await mkdir(dir, { recursive: true })
  const temporary = `${library}.${process.pid}.tmp`
  await runCommand(gcc, ['-shared', '-fPIC', '-O2', '-o', temporary, source, '-ldl'], {
    ...(options.signal ? { signal: options.signal } : {}),
  })
  await rename(temporary, library)
  return library
}
