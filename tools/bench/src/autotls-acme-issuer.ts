import { AcmeClient, type ChallengeSolver, generateKeyPair, issueCertificate } from '@autotls/acme'
import { createTlsAlpnCertificate } from '@autotls/crypto'
import { startAlpnResponder } from './alpn-responder.js'
import type { Issuer, RunningIssuer } from './issuer.js'

/**
 * `@autotls/acme` used alone, the library-to-library counterpart of `acme-client`:
 * `issueCertificate()` with a tls-alpn-01 solver on the same kind of in-process TLS server, a
 * fresh ECDSA P-256 key per name, waking its authorization poll when Pebble's validation
 * handshake arrives. Not a budget line; it shows how much of the server's figure is the ACME
 * exchange itself.
 *
 * @example
 * const issuer = autotlsAcmeIssuer({ directoryUrl: pebble.directoryUrl, caPem: pebble.caPem, port: pebble.tlsPort })
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.1
 */
export function autotlsAcmeIssuer(options: {
  directoryUrl: string
  caPem: string
  port: number
}): Issuer {
  return {
    id: 'autotls-acme',
    label: '@autotls/acme issueCertificate()',
    async start(_names, signal): Promise<RunningIssuer> {
      const responder = await startAlpnResponder(options.port)
      const client = new AcmeClient({
        directoryUrl: options.directoryUrl,
        accountKey: await generateKeyPair('ec-p256'),
        caPem: options.caPem,
      })
      const solver: ChallengeSolver = {
        type: 'tls-alpn-01',
        async present({ identifier, keyAuthorization, validationSeen }) {
          const { certPem, keyPem } = await createTlsAlpnCertificate({
            identifier,
            keyAuthorization,
          })
          responder.set(identifier.value, keyPem, certPem, validationSeen)
        },
        async cleanup({ identifier }) {
          responder.delete(identifier.value)
        },
      }
      return {
        async issue(name) {
          const started = performance.now()
          await issueCertificate({
            client,
            identifiers: [name],
            solvers: [solver],
            account: { termsOfServiceAgreed: true },
            signal,
          })
          return performance.now() - started
        },
        stop: () => responder.close(),
      }
    },
  }
}
