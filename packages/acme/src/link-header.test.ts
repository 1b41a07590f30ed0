import { describe, expect, it } from 'vitest'
import { linkTargets } from './link-header.js'

describe('linkTargets (RFC 8288)', () => {
  it('rfc8555 §7.4.2: finds every rel="alternate" among several Link values', () => {
    const headers = new Headers()
    headers.append('link', '<https://ca.example/dir>;rel="index"')
    headers.append('link', '<https://ca.example/cert/1/alt/1>;rel="alternate"')
    headers.append('link', '</cert/1/alt/2>; rel=alternate')
    expect(linkTargets(headers, 'alternate', 'https://ca.example/cert/1')).toEqual([
      'https://ca.example/cert/1/alt/1',
      'https://ca.example/cert/1/alt/2',
    ])
    expect(linkTargets(headers, 'index', 'https://ca.example/')).toEqual(['https://ca.example/dir'])
  })

  it('returns nothing without a Link header or a matching rel', () => {
    expect(linkTargets(new Headers(), 'next', 'https://x/')).toEqual([])
    expect(
      linkTargets(new Headers({ link: '<https://x/2>;rel="up"' }), 'next', 'https://x/'),
    ).toEqual([])
  })
})
