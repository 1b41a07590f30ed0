export { type ClientHello, parseClientHello } from './client-hello.js'
export { chooseKeyType, type ServedKeyType, supportsEcdsa } from './client-key-type.js'
export {
  ConnectionRouter,
  type ConnectionRouterOptions,
  type TlsAlert,
} from './connection-router.js'
export { MANAGER_ERROR_CODES, ManagerError, type ManagerErrorCode } from './errors.js'
export type { HostPolicy } from './host-policy.js'
export type { RequestListener } from './http-handler.js'
export { consoleLogger, type Logger } from './logger.js'
export type { ManagedServer } from './managed-server.js'
export {
  type CreateServerOptions,
  createManager,
  type ManagedCertificateInfo,
  Manager,
} from './manager.js'
export type { ManagerCounters } from './manager-counters.js'
export type { DropReason, ManagerEvent, RefusalReason } from './manager-event.js'
export type {
  IssuanceBudget,
  ManagedChallenge,
  ManagerOptions,
  RenewalOptions,
} from './manager-options.js'
