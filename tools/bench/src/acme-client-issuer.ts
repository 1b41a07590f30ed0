import { Agent } from 'node:https'
import * as acme from 'acme-client'
import { startAlpnResponder } from './alpn-responder.js'
import type { Issuer, RunningIssuer } from './issuer.js'

/**
 * The `acme-client` (npm) baseline: its documented `client.auto()` flow with tls-alpn-01, a fresh
 * ECDSA P-256 key and CSR per name (timed: key and chain in hand), and an in-process TLS server on
 * the CA's tls-alpn-01 port serving the challenge certificates it creates. Its own pre-flight check
 * of the challenge is skipped (it resolves names through DNS, which the test CA's names are not
 * in; autotls and autocert make no such check either). One account per round, registered by a
 * warm-up issuance.
 *
 * @example
 * const issuer = acmeClientIssuer({ directoryUrl: pebble.directoryUrl, caPem: pebble.caPem, port: pebble.tlsPort })
 * @see https://www.rfc-editor.org/rfc/rfc8737#section-3
 */
export function acmeClientIssuer(options: {
  directoryUrl: string
  caPem: string
  port: number
}): Issuer {
  return {
    id: 'acme-client',
    label: 'acme-client 5.4 auto()',
    async start(_names, signal): Promise<RunningIssuer> {
      // acme-client talks through its exported axios instance: trust the test CA there.
      acme.axios.defaults.httpsAgent = new Agent({ ca: options.caPem, keepAlive: true })
      const responder = await startAlpnResponder(options.port)
      const alpnKey = await acme.crypto.createPrivateEcdsaKey()
      const client = new acme.Client({
        directoryUrl: options.directoryUrl,
        accountKey: await acme.crypto.createPrivateEcdsaKey(),
      })
      return {
        async issue(name) {
          signal.throwIfAborted()
          const started = performance.now()
          const key = await acme.crypto.createPrivateEcdsaKey()
          const [, csr] = await acme.crypto.createCsr({ commonName: name }, key)
          const chain = await client.auto({
            csr,
            termsOfServiceAgreed: true,
            skipChallengeVerification: true,
            challengePriority: ['tls-alpn-01'],
            challengeCreateFn: async (authz, _challenge, keyAuthorization) => {
              const [, cert] = await acme.crypto.createAlpnCertificate(
                authz,
                keyAuthorization,
                alpnKey,
              )
              responder.set(authz.identifier.value, alpnKey.toString(), cert.toString())
            },
            challengeRemoveFn: async (authz) => responder.delete(authz.identifier.value),
          })
          if (!chain.includes('BEGIN CERTIFICATE')) throw new Error(`no chain for ${name}`)
          return performance.now() - started
        },
        stop: () => responder.close(),
      }
    },
  }
}
