import type { SecureContext } from 'node:tls'

/**
 * Frees the OpenSSL state (SSL_CTX, certificate, key) behind `context` at once. Node exposes this
 * only on the native handle (`context.context.close()`, present in Node 20 through 24); where it
 * is missing this does nothing and the garbage collector frees the state later.
 *
 * The context must not be handed to a handshake afterwards. Connections that already took their
 * certificate from it are unaffected: OpenSSL gave each its own references.
 *
 * @example
 * releaseSecureContext(evicted.context)
 */
export function releaseSecureContext(context: SecureContext): void {
  const native = (context as { context?: { close?: unknown } }).context
  if (typeof native?.close === 'function') native.close()
}
