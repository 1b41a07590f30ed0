import { connect } from 'node:net'
import { BenchError } from './bench-error.js'

function accepts(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Resolves once a TCP connection to `host:port` is accepted, polling every `intervalMs`; rejects
 * with `ERR_BENCH_TIMEOUT` after `timeoutMs`, or with the reason of `signal`.
 */
export async function waitForPort(
  port: number,
  options: { host?: string; timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const host = options.host ?? '127.0.0.1'
  const deadline = performance.now() + (options.timeoutMs ?? 30_000)
  while (!(await accepts(port, host))) {
    options.signal?.throwIfAborted()
    if (performance.now() > deadline) {
      throw new BenchError('ERR_BENCH_TIMEOUT', `nothing listened on ${host}:${port} in time`)
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2))
  }
}
