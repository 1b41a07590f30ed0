import { describe, expect, it } from 'vitest'
import { certificateId } from './certificate-id.js'
import { fromLatin1, RawNameMemory } from './raw-name-memory.js'

describe('RawNameMemory', () => {
  it('answers a raw name allowed before, per served key type; a key type not served is ignored', () => {
    const names = new RawNameMemory(['ec-p256'], 100)
    const id = certificateId('example.test', 'ec-p256')
    names.remember('ec-p256', 'Example.TEST.', id)
    expect(names.get('ec-p256', 'Example.TEST.')).toBe(id)
    expect(names.get('ec-p256', 'example.test')).toBeUndefined()
    expect(names.get('rsa-2048', 'Example.TEST.')).toBeUndefined()
    names.remember('rsa-2048', 'other.test', certificateId('other.test', 'rsa-2048'))
    expect(names.get('rsa-2048', 'other.test')).toBeUndefined()
  })

  it('finds a name a client sent as raw UTF-8 under the latin1 spelling Node hands over', () => {
    const names = new RawNameMemory(['ec-p256'], 100)
    const id = certificateId('xn--bcher-kva.test', 'ec-p256')
    names.remember('ec-p256', 'bücher.test', id)
    const asNodeHandsItOver = Buffer.from('bücher.test', 'utf8').toString('latin1')
    expect(fromLatin1(asNodeHandsItOver)).toBe('bücher.test')
    expect(names.get('ec-p256', asNodeHandsItOver)).toBe(id)
  })

  it('stays within its limit: a full map is cleared, and cleared names are only asked again', () => {
    const names = new RawNameMemory(['ec-p256'], 2)
    for (const name of ['a.test', 'b.test', 'c.test']) {
      names.remember('ec-p256', name, certificateId(name, 'ec-p256'))
    }
    expect(names.get('ec-p256', 'a.test')).toBeUndefined()
    expect(names.get('ec-p256', 'c.test')?.key).toBe('c.test/ec-p256')
    names.clear()
    expect(names.get('ec-p256', 'c.test')).toBeUndefined()
  })
})
