export { type DirCache, type DirCacheOptions, dirCache } from './dir-cache.js'
