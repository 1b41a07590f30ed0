import { describe, expect, it } from 'vitest'
import { certificateNamer } from './certificate-name.js'

describe('certificateNamer: which certificate serves an allowed name', () => {
  const policy = ['example.com', 'www.example.com', '*.example.com', '*.Example.NET', 'other.test']

  it('rfc8555 §7.1.3: with DNS-01, every subdomain and the apex of a pattern map to the pattern', () => {
    const name = certificateNamer(policy, true)
    expect(name('a.example.com')).toBe('*.example.com')
    expect(name('www.example.com')).toBe('*.example.com')
    expect(name('example.com')).toBe('*.example.com')
    expect(name('*.example.com')).toBe('*.example.com')
    expect(name('b.example.net')).toBe('*.example.net')
    expect(name('a.b.example.com')).toBe('a.b.example.com')
    expect(name('other.test')).toBe('other.test')
  })

  it('without DNS-01, or with a function policy, every name is its own certificate', () => {
    expect(certificateNamer(policy, false)('a.example.com')).toBe('a.example.com')
    expect(certificateNamer(() => true, true)('a.example.com')).toBe('a.example.com')
  })
})
