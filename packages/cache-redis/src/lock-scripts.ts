import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

/** A Lua script run with `EVALSHA`, sent in full only when Redis does not know it yet. */
export interface LuaScript {
  readonly source: string
  readonly sha1: string
}

function script(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') }
}

/**
 * Takes lock `KEYS[1]` for owner `ARGV[1]` for `ARGV[2]` ms with `SET NX PX` and, in the same
 * atomic step, draws the next fencing token from counter `KEYS[2]`.
 *
 * Returns `{1, token}` when acquired, `{0, pttl, owner}` (remaining ms of the holder's lease, and
 * the holder's owner id) when not.
 * A counter that is not a decimal integer fails the script with a `CORRUPT` error before anything
 * is written. A missing counter (first use, or a Redis restarted without persistence) is seeded
 * with the server clock in microseconds, so tokens keep increasing across such a restart as long
 * as fewer than a million locks per second were taken and the Redis host's clock does not step
 * back.
 */
export const ACQUIRE: LuaScript = script(`
local fence = redis.call('GET', KEYS[2])
if fence and not string.match(fence, '^%d+$') then
  return redis.error_reply('CORRUPT fencing counter ' .. KEYS[2] .. ' is not a decimal integer')
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0, redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[1]) or ''}
end
if not fence then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[2], now[1] .. string.rep('0', 6 - #now[2]) .. now[2])
end
return {1, redis.call('INCR', KEYS[2])}
`)

/** Extends lock `KEYS[1]` to `ARGV[2]` ms only while owner `ARGV[1]` still holds it: 1, else 0. */
export const RENEW: LuaScript = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

/**
 * Deletes lock `KEYS[1]` only while owner `ARGV[1]` still holds it: 1, else 0. Used to release,
 * and to clear the lock of a holder seen dead (only if that holder still has it).
 */
export const RELEASE: LuaScript = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

/**
 * The check of a fenced write: returns `{0, newest}` from the script when fencing counter
 * `KEYS[2]` is above token `ARGV[1]` (both decimal integers without leading zeros, compared by
 * length then digits, so no precision is lost). A missing counter fences nothing.
 */
const FENCE_CHECK = `
local newest = redis.call('GET', KEYS[2])
if newest then
  if not string.match(newest, '^%d+$') then
    return redis.error_reply('CORRUPT fencing counter ' .. KEYS[2] .. ' is not a decimal integer')
  end
  if #newest > #ARGV[1] or (#newest == #ARGV[1] and newest > ARGV[1]) then
    return {0, newest}
  end
end
`

/**
 * Sets data key `KEYS[1]` to `ARGV[2]` unless a lease newer than token `ARGV[1]` was granted for
 * the lock whose fencing counter is `KEYS[2]`: `{1, ''}` when written, `{0, newest}` when refused.
 * Check and write are one script, so no acquisition can fall between them.
 */
export const FENCED_SET: LuaScript = script(`${FENCE_CHECK}
redis.call('SET', KEYS[1], ARGV[2])
return {1, ''}
`)

/** Deletes data key `KEYS[1]` under the same fence as {@link FENCED_SET}. */
export const FENCED_DEL: LuaScript = script(`${FENCE_CHECK}
redis.call('DEL', KEYS[1])
return {1, ''}
`)

/**
 * Runs `lua` by its SHA-1 and falls back to sending its source when Redis answers `NOSCRIPT`
 * (first use, or after a restart emptied the script cache).
 */
export async function runScript(
  client: Redis,
  lua: LuaScript,
  keys: readonly string[],
  args: readonly (string | number | Buffer)[],
): Promise<unknown> {
  try {
    return await client.evalsha(lua.sha1, keys.length, ...keys, ...args)
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
    return await client.eval(lua.source, keys.length, ...keys, ...args)
  }
}
