import { request } from 'node:https'
import { BenchError } from './bench-error.js'

/**
 * Milliseconds from opening a new connection to `127.0.0.1:port` with SNI `servername` until the
 * whole response to `GET /` arrived, trusting only `ca` (so the certificate is verified for
 * `servername`). Rejects with `ERR_BENCH_LOAD` unless the status is 200.
 *
 * @example
 * const ms = await timedHttpsGet({ port, servername: 'new1.bench.test', ca: roots })
 */
export function timedHttpsGet(options: {
  port: number
  servername: string
  ca: string | readonly string[]
  signal?: AbortSignal
  timeoutMs?: number
}): Promise<number> {
  const started = performance.now()
  // Its own timer, not AbortSignal.any([AbortSignal.timeout(…), …]): on Node 20 such a composite
  // can be garbage-collected before it fires.
  const timeout = new AbortController()
  const timer = setTimeout(
    () => timeout.abort(new Error('timed out')),
    options.timeoutMs ?? 120_000,
  )
  timer.unref()
  const done = new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        path: '/',
        servername: options.servername,
        headers: { host: options.servername },
        ca: typeof options.ca === 'string' ? options.ca : [...options.ca],
        agent: false,
        signal: options.signal ? AbortSignal.any([timeout.signal, options.signal]) : timeout.signal,
      },
      (res) => {
        res.resume()
        res.once('end', () => {
          if (res.statusCode === 200) resolve(performance.now() - started)
          else {
            reject(
              new BenchError(
                'ERR_BENCH_LOAD',
                `GET https://${options.servername}/ answered ${res.statusCode}`,
              ),
            )
          }
        })
        res.once('error', reject)
      },
    )
    req.once('error', (cause) =>
      reject(
        new BenchError(
          'ERR_BENCH_LOAD',
          `GET https://${options.servername}/ failed: ${cause.message}`,
          {
            cause,
          },
        ),
      ),
    )
    req.end()
  })
  return done.finally(() => clearTimeout(timer))
}
