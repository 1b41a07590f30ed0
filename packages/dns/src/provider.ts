export {
  concat,
  type DnsMessage,
  decodeMessage,
  encodeMessage,
  encodeName,
  encodeRecord,
  type MessageInput,
  OPCODE,
  type Question,
  type RecordInput,
  type ResourceRecord,
  RR_CLASS,
  RR_TYPE,
  rcodeName,
  readName,
  txtRdata,
  u16,
} from './dns-message.js'
export type { DnsProvider, ProviderCallOptions, TxtRecord } from './dns-provider.js'
export {
  asDnsError,
  DNS_ERROR_CODES,
  DnsError,
  type DnsErrorCode,
  type DnsErrorDetails,
} from './errors.js'
export { type ExchangeOptions, exchange } from './exchange.js'
export { parseServerAddress, type ServerAddress } from './server-address.js'
export { type TimeoutSignal, timeoutSignal } from './timeout-signal.js'
