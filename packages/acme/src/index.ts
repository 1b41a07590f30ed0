export {
  exportPrivateKeyPem,
  generateKeyPair,
  type Identifier,
  importPrivateKeyPem,
  type KeyPair,
  type KeyType,
} from '@autotls/crypto'
export {
  AcmeClient,
  type AcmeClientOptions,
  type CallOptions,
  type CertificateChain,
  type RevocationReason,
} from './acme-client.js'
export { AUTHORIZATION_POLLS, ORDER_POLLS, type PollSchedule } from './backoff.js'
export type { ChallengeArgs, ChallengeSolver } from './challenge-solver.js'
export { isAllowedDirectoryUrl } from './directory-url-allowed.js'
export {
  GOOGLE_TRUST_SERVICES,
  LETS_ENCRYPT_PRODUCTION,
  LETS_ENCRYPT_STAGING,
  ZEROSSL,
} from './directory-urls.js'
export {
  ACME_ERROR_CODES,
  AcmeError,
  type AcmeErrorCode,
  AcmeProblemError,
  type ProblemDocument,
  type ProblemIdentifier,
  type Subproblem,
} from './errors.js'
export type { ExternalAccountBinding } from './external-account-binding.js'
export { createHttpsFetch, type FetchLike } from './https-fetch.js'
export {
  type IssueCertificateOptions,
  type IssuedCertificate,
  issueCertificate,
} from './issue-certificate.js'
export { dns01RecordName, dns01TxtValue, keyAuthorizationFor } from './key-authorization.js'
export { normalizeIdentifier } from './normalize-identifier.js'
export { PollWaker, WAKE_QUIET_MS } from './poll-waker.js'
export type { RenewalInfo } from './renewal-info.js'
export type {
  Account,
  AcmeIdentifier,
  Authorization,
  AuthorizationStatus,
  Challenge,
  ChallengeStatus,
  Directory,
  Order,
  OrderStatus,
} from './resources.js'
export { DEFAULT_USER_AGENT, VERSION } from './version.js'
