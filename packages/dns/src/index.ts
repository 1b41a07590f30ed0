export { type DnsPersistRecordOptions, dnsPersistRecord } from './dns-persist-record.js'
export type { DnsProvider, ProviderCallOptions, TxtRecord } from './dns-provider.js'
export { type Dns01SolverOptions, dns01Solver } from './dns01-solver.js'
export { DNS_ERROR_CODES, DnsError, type DnsErrorCode, type DnsErrorDetails } from './errors.js'
