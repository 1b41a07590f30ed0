import { join, relative, resolve, sep } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lockPath, valuePath } from '../src/key-path.js'

const dir = resolve('/srv/autotls-cache')

function staysInside(parts: string[]): void {
  const path = join(dir, ...parts)
  const rel = relative(dir, path)
  expect(rel.length).toBeGreaterThan(0)
  expect(rel.startsWith('..')).toBe(false)
  expect(path.startsWith(dir + sep)).toBe(true)
}

function mapsInsideOrRejects(map: (dir: string, key: string) => string[], key: string): void {
  let parts: string[]
  try {
    parts = map(dir, key)
  } catch (error) {
    expect(error).toMatchObject({ code: 'ERR_CACHE_INVALID_KEY' })
    return
  }
  staysInside(parts)
}

const hostile = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .array(fc.constantFrom('..', '.', '', '/', '\\', 'a', 'v1', '~', '%2e', '\0', ':', 'C:'), {
      maxLength: 12,
    })
    .map((parts) => parts.join('/')),
  fc
    .array(fc.stringMatching(/^[a-z0-9._+-]{1,8}$/), { minLength: 1, maxLength: 8 })
    .map((parts) => parts.join('/')),
)

describe('key → path', () => {
  it('no key, however hostile, maps to a value path outside the cache directory', () => {
    fc.assert(
      fc.property(hostile, (key) => mapsInsideOrRejects(valuePath, key)),
      { numRuns: 5000 },
    )
  })

  it('no lock name maps outside the cache directory or into the data tree', () => {
    fc.assert(
      fc.property(hostile, (name) => {
        mapsInsideOrRejects(lockPath, name)
        try {
          expect(lockPath(dir, name)[0]).toBe('.locks')
        } catch {
          // rejected names are covered above
        }
      }),
      { numRuns: 5000 },
    )
  })

  it('distinct keys map to distinct files, and no value file is a directory of another key', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc
            .array(fc.stringMatching(/^[a-z0-9_+-][a-z0-9._+-]{0,4}$/), {
              minLength: 1,
              maxLength: 4,
            })
            .map((parts) => parts.join('/')),
          { minLength: 2, maxLength: 8 },
        ),
        (keys) => {
          const files = keys.map((key) => valuePath(dir, key).join('/'))
          expect(new Set(files).size).toBe(keys.length)
          for (const file of files) {
            for (const other of files) expect(other.startsWith(`${file}/`)).toBe(false)
          }
        },
      ),
    )
  })

  it('maps a key to nested directories and a "~" value file', () => {
    expect(valuePath(dir, 'v1/certs/example.com/ecdsa-p256')).toEqual([
      'v1',
      'certs',
      'example.com',
      'ecdsa-p256~',
    ])
    expect(lockPath(dir, 'v1/locks/certs/a')).toEqual(['.locks', 'v1', 'locks', 'certs', 'a~lock'])
  })
})
