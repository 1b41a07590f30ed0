import { createSecureContext, type SecureContext } from 'node:tls'
import { describe, expect, it } from 'vitest'
import { selfSigned } from '../test/helpers/self-signed.js'
import { releaseSecureContext } from './release-secure-context.js'

type Native = { getCertificate(): unknown }

describe('releaseSecureContext', () => {
  it('frees the certificate and key behind a context at once', async () => {
    const { key, cert } = await selfSigned('release.test', 'ec')
    const context = createSecureContext({ key, cert })
    const native = (context as unknown as { context: Native }).context
    expect(native.getCertificate()).not.toBeNull()
    releaseSecureContext(context)
    expect(native.getCertificate()).toBeNull()
  })

  it('does nothing to a context without a native close (another runtime)', () => {
    const foreign = { context: {} } as unknown as SecureContext
    expect(() => releaseSecureContext(foreign)).not.toThrow()
  })
})
