import type { ServerOptions } from 'node:http'

/**
 * Timeouts for a server on the public Internet, where a connection that sends nothing or dribbles
 * its request holds memory and a descriptor until something closes it. Node's defaults (headers
 * 60 s, request 300 s, checked every 30 s) let a slow client keep a connection 60–90 s.
 *
 * - `headersTimeout` 10 s: a real client sends its request head in one packet right after
 *   connecting (or after the handshake); 10 s is also the ClientHello deadline of the TLS port,
 *   so no phase of a connection waits longer than another.
 * - `requestTimeout` 15 s: hello takes no request bodies, so the whole request is the head.
 * - `keepAliveTimeout` 5 s: an idle keep-alive connection costs us more than a client's new
 *   connection costs it; browsers reuse within seconds or not at all.
 * - `connectionsCheckingInterval` 1 s: the two limits above are enforced within a second of
 *   passing instead of up to 30 s late.
 *
 * On port 80 Node's checks never see a connection that sends nothing at all (measured: still
 * open after 25 s), so that server also gets {@link IDLE_SOCKET_TIMEOUT_MS}. On the TLS port the
 * manager's handshake deadline covers the time before the handshake and `headersTimeout` the time
 * after it.
 */
export const PUBLIC_HTTP_TIMEOUTS: ServerOptions = {
  headersTimeout: 10_000,
  requestTimeout: 15_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
}

/**
 * Port 80: a connection with no traffic either way for this long is destroyed (`server.timeout`).
 * 10 s, as `headersTimeout`; a longer value was measured not to fire on Node 20 once
 * `headersTimeout` had passed. Hello answers at once, so only a silent or dribbling client
 * reaches it (the latter is then closed without a 408).
 */
export const IDLE_SOCKET_TIMEOUT_MS = 10_000
