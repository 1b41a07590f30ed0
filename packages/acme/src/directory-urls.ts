/**
 * Let's Encrypt's production directory: trusted certificates, strict rate limits.
 * @see https://letsencrypt.org/docs/acme-protocol-updates/
 */
export const LETS_ENCRYPT_PRODUCTION: string = 'https://acme-v02.api.letsencrypt.org/directory'

/**
 * Let's Encrypt's staging directory: untrusted certificates, generous limits. Test here first.
 * @see https://letsencrypt.org/docs/staging-environment/
 */
export const LETS_ENCRYPT_STAGING: string = 'https://acme-staging-v02.api.letsencrypt.org/directory'

/**
 * ZeroSSL's directory; it requires External Account Binding.
 * @see https://zerossl.com/documentation/acme/
 */
export const ZEROSSL: string = 'https://acme.zerossl.com/v2/DV90'

/**
 * Google Trust Services' production directory; it requires External Account Binding.
 * @see https://cloud.google.com/certificate-manager/docs/public-ca-tutorial
 */
export const GOOGLE_TRUST_SERVICES: string = 'https://dv.acme-v02.api.pki.goog/directory'
