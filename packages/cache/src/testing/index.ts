export { type DescribeCacheOptions, describeCache, type TestedStore } from './describe-cache.js'
