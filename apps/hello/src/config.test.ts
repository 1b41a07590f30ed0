import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'
import { HelloError } from './hello-error.js'

const base = { DOMAINS: 'a.test', WORKERS: '1' }

describe('loadConfig: RUN_AS', () => {
  it('is unset by default', () => {
    expect(loadConfig(base).runAs).toBeUndefined()
  })

  it('takes uid:gid, or a uid that is also the gid', () => {
    expect(loadConfig({ ...base, RUN_AS: '1000:1001' }).runAs).toEqual({ uid: 1000, gid: 1001 })
    expect(loadConfig({ ...base, RUN_AS: '1000' }).runAs).toEqual({ uid: 1000, gid: 1000 })
  })

  it.each(['root', '0', '0:0', '1000:', '-1', 'node'])(
    'refuses %j with ERR_HELLO_CONFIG',
    (text) => {
      expect(() => loadConfig({ ...base, RUN_AS: text })).toThrow(
        expect.objectContaining({
          name: 'HelloError',
          code: 'ERR_HELLO_CONFIG',
          message: `RUN_AS must be a numeric uid or uid:gid other than root, e.g. RUN_AS=1000:1000, not "${text}"`,
        }),
      )
      expect(() => loadConfig({ ...base, RUN_AS: text })).toThrow(HelloError)
    },
  )
})
