export {
  type FetchLike,
  type PowerDnsProviderOptions,
  powerDnsProvider,
} from './powerdns-provider.js'
