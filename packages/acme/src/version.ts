import { PACKAGE_VERSION } from './package-version.js'

/** This package's version, as sent in the User-Agent: package.json's, written in at build time. */
export const VERSION: string = PACKAGE_VERSION

/** The default User-Agent: package, version and runtime, as RFC 8555 §6.1 asks clients to send. */
export const DEFAULT_USER_AGENT: string = `autotls-acme/${VERSION} (+https://www.npmjs.com/package/@autotls/acme) node/${process.version}`
