import { randomBytes } from 'node:crypto'
import { describeCache, suspendRenewal } from '@autotls/cache/testing'
import { type RedisServer, startRedis } from '@autotls/redis-server'
import { afterAll, beforeAll } from 'vitest'
import { redisCache } from '../src/index.js'

let server: RedisServer
beforeAll(async () => {
  server = await startRedis()
})
afterAll(async () => {
  await server.close()
})

// A fresh prefix per test gives each test an empty store on the shared server.
describeCache('redisCache', () => {
  const cache = redisCache({
    url: server.url,
    prefix: `conformance-${randomBytes(6).toString('hex')}`,
  })
  return Object.assign(cache, { suspendRenewal })
})
