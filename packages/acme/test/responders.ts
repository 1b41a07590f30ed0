import { createServer as createHttpServer, type Server } from 'node:http'
import { createSecureContext, createServer as createTlsServer, type SecureContext } from 'node:tls'
import { createTlsAlpnCertificate } from '@autotls/crypto'
import type { Pebble } from '@autotls/pebble'
import { type ChallengeSolver, dns01RecordName, dns01TxtValue } from '../src/index.js'

/** A running challenge responder and the solver that feeds it. */
export interface Responder {
  readonly solver: ChallengeSolver
  /** How many times `present` / `cleanup` ran. */
  readonly calls: { present: number; cleanup: number }
  close(): Promise<void>
}

function listen(server: Server | ReturnType<typeof createTlsServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
}

/**
 * http-01: serves /.well-known/acme-challenge/<token> on `port`, and tells the client when the CA
 * fetched it (`validationSeen`).
 */
export async function http01Responder(port: number): Promise<Responder> {
  const responses = new Map<string, { body: string; seen?: () => void }>()
  const calls = { present: 0, cleanup: 0 }
  const server = createHttpServer((req, res) => {
    const token = /^\/\.well-known\/acme-challenge\/([\w-]+)$/.exec(req.url ?? '')?.[1]
    const entry = token === undefined ? undefined : responses.get(token)
    res
      .writeHead(entry === undefined ? 404 : 200, { 'content-type': 'text/plain' })
      .end(entry?.body)
    entry?.seen?.()
  })
  await listen(server, port)
  return {
    calls,
    solver: {
      type: 'http-01',
      present: async ({ token, keyAuthorization, validationSeen }) => {
        calls.present++
        responses.set(token, {
          body: keyAuthorization,
          ...(validationSeen ? { seen: validationSeen } : {}),
        })
      },
      cleanup: async ({ token }) => {
        calls.cleanup++
        responses.delete(token)
      },
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** tls-alpn-01: answers `acme-tls/1` handshakes with the RFC 8737 certificate on `port`. */
export async function tlsAlpnResponder(port: number): Promise<Responder> {
  const contexts = new Map<string, SecureContext>()
  const calls = { present: 0, cleanup: 0 }
  const server = createTlsServer({
    ALPNCallback: ({ protocols }) => (protocols.includes('acme-tls/1') ? 'acme-tls/1' : undefined),
    SNICallback: (name, callback) => {
      const context = contexts.get(name.toLowerCase())
      callback(context ? null : new Error(`no challenge for ${name}`), context)
    },
  })
  server.on('tlsClientError', () => {})
  await listen(server, port)
  return {
    calls,
    solver: {
      type: 'tls-alpn-01',
      present: async ({ identifier, keyAuthorization }) => {
        calls.present++
        const { certPem, keyPem } = await createTlsAlpnCertificate({ identifier, keyAuthorization })
        const sni =
          identifier.type === 'ip' ? reverseName(identifier.value) : identifier.value.toLowerCase()
        contexts.set(sni, createSecureContext({ cert: certPem, key: keyPem }))
      },
      cleanup: async ({ identifier }) => {
        calls.cleanup++
        contexts.delete(identifier.value.toLowerCase())
      },
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** RFC 8738 §6: the SNI of a tls-alpn-01 check for an IPv4 address is its in-addr.arpa name. */
function reverseName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`
}

/**
 * dns-01: publishes TXT records through Pebble's challenge test server. A wildcard and its base
 * name share one record name, so the record is cleared only when its last value is cleaned up.
 */
export function dns01Responder(pebble: Pebble): Responder {
  const calls = { present: 0, cleanup: 0 }
  const values = new Map<string, string[]>()
  return {
    calls,
    solver: {
      type: 'dns-01',
      present: async ({ identifier, keyAuthorization }) => {
        calls.present++
        const host = dns01RecordName(identifier.value)
        const value = await dns01TxtValue(keyAuthorization)
        values.set(host, [...(values.get(host) ?? []), value])
        await pebble.setTxt(host, value)
      },
      cleanup: async ({ identifier, keyAuthorization }) => {
        calls.cleanup++
        const host = dns01RecordName(identifier.value)
        const value = await dns01TxtValue(keyAuthorization)
        const rest = (values.get(host) ?? []).filter((v) => v !== value)
        values.set(host, rest)
        // Clearing while a sibling is still being validated would hide its value: wait for the last.
        if (rest.length === 0) await pebble.clearTxt(host)
      },
    },
    close: async () => {},
  }
}
