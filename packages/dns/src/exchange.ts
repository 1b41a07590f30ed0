import { createSocket } from 'node:dgram'
import { isIP, connect as tcpConnect } from 'node:net'
import { DnsError } from './errors.js'
import type { ServerAddress } from './server-address.js'
import { timeoutSignal } from './timeout-signal.js'

/** How {@link exchange} sends one message. */
export interface ExchangeOptions {
  readonly signal: AbortSignal
  /** Give up on the server after this long. Default 3 s. */
  readonly timeoutMs?: number
  /** Use TCP from the start (otherwise UDP, and TCP when the answer is truncated). */
  readonly tcp?: boolean
}

const UDP_LIMIT = 512

/**
 * Sends one DNS message to `server` and resolves the raw response with the same ID: over UDP,
 * retrying over TCP when the response is truncated (RFC 1035 §4.2, RFC 7766 §5), or straight over
 * TCP for messages too long for plain UDP.
 *
 * @example
 * const response = decodeMessage(await exchange(server, request, { signal }))
 * @see https://www.rfc-editor.org/rfc/rfc7766#section-5
 */
export async function exchange(
  server: ServerAddress,
  request: Uint8Array,
  options: ExchangeOptions,
): Promise<Uint8Array> {
  const timeoutMs = options.timeoutMs ?? 3000
  const deadline = timeoutSignal(options.signal, timeoutMs)
  const { signal } = deadline
  try {
    if (!options.tcp && request.length <= UDP_LIMIT) {
      const response = await overUdp(server, request, signal, timeoutMs)
      if ((response[2] ?? 0) & 0x02) return await overTcp(server, request, signal)
      return response
    }
    return await overTcp(server, request, signal)
  } catch (error) {
    if (error instanceof DnsError) throw error
    if (options.signal.aborted) {
      throw new DnsError('ERR_DNS_ABORTED', `aborted while waiting for ${server.label}`, {
        server: server.label,
        cause: options.signal.reason,
      })
    }
    if (deadline.timedOut()) {
      throw new DnsError(
        'ERR_DNS_TIMEOUT',
        `${server.label} did not answer within ${timeoutMs} ms`,
        {
          server: server.label,
        },
      )
    }
    throw new DnsError(
      'ERR_DNS_NETWORK',
      `cannot reach ${server.label}: ${(error as Error).message}`,
      {
        server: server.label,
        cause: error,
      },
    )
  } finally {
    deadline.dispose()
  }
}

function overUdp(
  server: ServerAddress,
  request: Uint8Array,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4')
    // A lost datagram is sent again once, halfway through the time allowed.
    const resend = setTimeout(send, timeoutMs / 2)
    resend.unref()
    const done = (error: unknown, response?: Uint8Array): void => {
      clearTimeout(resend)
      signal.removeEventListener('abort', onAbort)
      socket.close()
      if (response) resolve(response)
      else reject(error)
    }
    const onAbort = (): void => done(signal.reason)
    function send(): void {
      socket.send(request, server.port, server.host, (error) => {
        if (error) done(error)
      })
    }
    socket.on('error', (error) => done(error))
    socket.on('message', (message, remote) => {
      if (remote.port !== server.port || !sameAddress(remote.address, server.host)) return
      if (message.length < 12) return
      if (message[0] !== request[0] || message[1] !== request[1]) return
      done(undefined, new Uint8Array(message))
    })
    if (signal.aborted) {
      socket.close()
      reject(signal.reason)
      return
    }
    signal.addEventListener('abort', onAbort, { once: true })
    send()
  })
}

function overTcp(
  server: ServerAddress,
  request: Uint8Array,
  signal: AbortSignal,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const socket = tcpConnect({ host: server.host, port: server.port })
    let buffered = Buffer.alloc(0)
    const done = (error: unknown, response?: Uint8Array): void => {
      signal.removeEventListener('abort', onAbort)
      socket.destroy()
      if (response) resolve(response)
      else reject(error)
    }
    const onAbort = (): void => done(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    socket.on('error', (error) => done(error))
    socket.on('connect', () => {
      const length = Buffer.alloc(2)
      length.writeUInt16BE(request.length)
      socket.write(Buffer.concat([length, request]))
    })
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      if (buffered.length < 2) return
      const length = buffered.readUInt16BE(0)
      if (buffered.length >= 2 + length) {
        done(undefined, new Uint8Array(buffered.subarray(2, 2 + length)))
      }
    })
    socket.on('end', () => done(new Error('connection closed before a full response')))
  })
}

/** Equal IP addresses, whatever the IPv6 spelling (`2001:DB8::1` = `2001:db8:0::1`). */
function sameAddress(a: string, b: string): boolean {
  const canonical = (ip: string): string =>
    isIP(ip) === 6 ? new URL(`http://[${ip}]`).hostname : ip
  return canonical(a) === canonical(b)
}
