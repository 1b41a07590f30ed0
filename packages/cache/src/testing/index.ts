export { type DescribeCacheOptions, describeCache, type TestedStore } from './describe-cache.js'
export { suspendRenewal } from './suspend-renewal.js'
