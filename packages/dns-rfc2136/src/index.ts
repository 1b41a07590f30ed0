export { parseTsigKey } from './parse-tsig-key.js'
export { type Rfc2136ProviderOptions, rfc2136Provider } from './rfc2136-provider.js'
export type { TsigKey } from './tsig.js'
