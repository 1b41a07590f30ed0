import { request } from 'node:https'
import { PebbleError } from './errors.js'

/** One HTTPS exchange that trusts only `ca`; resolves with status and body text. */
export function httpsRequest(
  url: string,
  ca: string,
  options: { method?: string; body?: string; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        ca,
        signal: options.signal,
        timeout: options.timeoutMs ?? 5000,
        // Pebble >= 2.5 refuses requests without a User-Agent, as RFC 8555 §6.1 asks of clients.
        headers: {
          'user-agent': 'autotls-test-harness',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        )
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new PebbleError('ERR_PEBBLE_REQUEST', `${url} timed out`)))
    req.on('error', (cause) =>
      reject(
        new PebbleError('ERR_PEBBLE_REQUEST', `request to ${url} failed: ${cause.message}`, {
          cause,
        }),
      ),
    )
    req.end(options.body)
  })
}
