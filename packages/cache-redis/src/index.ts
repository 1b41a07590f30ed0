export { type RedisCache, type RedisCacheOptions, redisCache } from './redis-cache.js'
