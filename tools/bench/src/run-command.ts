import { execFile } from 'node:child_process'
import { BenchError } from './bench-error.js'

/**
 * Runs a program to completion and resolves its stdout; rejects with `ERR_BENCH_PROCESS` carrying
 * its stderr when it fails, and with the signal's reason when aborted.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        signal: options.signal,
        timeout: options.timeoutMs ?? 300_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (options.signal?.aborted) reject(options.signal.reason)
        else if (error) {
          reject(
            new BenchError(
              'ERR_BENCH_PROCESS',
              `${command} ${args.join(' ')} failed: ${String(stderr).trim() || error.message}`,
              { cause: error },
            ),
          )
        } else resolve(String(stdout))
      },
    )
  })
}
