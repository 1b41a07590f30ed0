import { describe, expect, it } from 'vitest'
import { isAllowedDirectoryUrl } from './directory-url-allowed.js'

describe('isAllowedDirectoryUrl', () => {
  it('rfc8555 §6.1: https anywhere; http only for a loopback host (a local test CA)', () => {
    for (const url of [
      'https://acme-v02.api.letsencrypt.org/directory',
      'http://localhost:14000/dir',
      'http://127.0.0.1:14000/dir',
      'http://[::1]:14000/dir',
    ]) {
      expect(isAllowedDirectoryUrl(url), url).toBe(true)
    }
    for (const url of [
      'http://ca.example/dir',
      'http://10.0.0.1/dir',
      'ftp://ca.example/dir',
      'https//missing-colon',
      '',
    ]) {
      expect(isAllowedDirectoryUrl(url), url).toBe(false)
    }
  })
})
