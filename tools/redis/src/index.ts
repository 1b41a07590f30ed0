export { REDIS_ERROR_CODES, RedisServerError, type RedisServerErrorCode } from './errors.js'
export { type RedisServer, type RedisServerOptions, startRedis } from './redis-server.js'
