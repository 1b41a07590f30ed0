import { findTool } from './find-tool.js'
import { runCommand } from './run-command.js'

/**
 * Pins this process (every thread: the main thread, libuv's pool, V8's workers) to `cpus` with
 * `taskset -a -p`, so a client running in it (e.g. the scale benchmark's TLS client) stays off the
 * server's CPU; resolves a function that restores the CPUs it had before.
 *
 * @example
 * const unpin = await pinThisProcess('1')
 * try { await measure() } finally { await unpin() }
 */
export async function pinThisProcess(
  cpus: string,
  options: { signal?: AbortSignal } = {},
): Promise<() => Promise<void>> {
  const taskset = await findTool('taskset', 'util-linux')
  const pid = String(process.pid)
  // "pid 123's current affinity list: 0,1"
  const before = (await runCommand(taskset, ['-p', '-c', pid], options)).trim().split(': ').at(-1)
  await runCommand(taskset, ['-a', '-p', '-c', cpus, pid], options)
  return async () => {
    if (before) await runCommand(taskset, ['-a', '-p', '-c', before, pid])
  }
}
