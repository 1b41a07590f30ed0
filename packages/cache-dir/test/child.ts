import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** Starts a TypeScript fixture the way the workspace runs sources: tsx, `@autotls/source`. */
export function startFixture(name: string, args: readonly string[]): ChildProcess {
  const file = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
  return spawn(
    process.execPath,
    ['--conditions=@autotls/source', '--import', 'tsx', file, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
}

/** Resolves once the child prints `ready`; rejects if it exits first. */
export function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString()
    })
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('ready\n')) resolve()
    })
    child.once('exit', (code, signal) =>
      reject(new Error(`fixture exited (${code ?? signal}) before ready: ${err.slice(0, 2000)}`)),
    )
  })
}

/** Resolves with the exit code (or signal) of the child. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  if (child.signalCode !== null) return Promise.resolve(child.signalCode)
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1))
  })
}
