import type { Duplex } from 'node:stream'

/** How long a refused connection's remaining input is read and dropped before it is destroyed. */
const LINGER_MS = 2000

const answered = new WeakSet<Duplex>()

/**
 * A `clientError` listener for both ports: answers a request Node's parser refused (431 for
 * headers over the limit, 408 for a request that took too long, 400 otherwise) and then closes
 * gently: `end()` sends the answer (and, on TLS, close_notify) first, and the client's unread
 * input is drained for a moment, so the client reads the answer instead of a reset (closing a
 * socket with unread data makes the kernel send RST). Node's default writes and destroys at once,
 * which on TLS loses the answer.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (answered.has(socket)) return
  answered.add(socket)
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? '431 Request Header Fields Too Large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : '400 Bad Request'
  // As Node's default: no answer over a response whose headers already went out.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (socket.writable && error.code !== 'ECONNRESET' && !inFlight?.headersSent) {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  }
  socket.on('data', () => {})
  socket.resume()
  setTimeout(() => socket.destroy(), LINGER_MS).unref()
}
