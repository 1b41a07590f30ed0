/** This package's version, as sent in the User-Agent (kept in step with package.json). */
export const VERSION: string = '0.1.0'

/** The default User-Agent: package, version and runtime, as RFC 8555 §6.1 asks clients to send. */
export const DEFAULT_USER_AGENT: string = `autotls-acme/${VERSION} (+https://www.npmjs.com/package/@autotls/acme) node/${process.version}`
