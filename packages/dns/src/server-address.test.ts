import { describe, expect, it } from 'vitest'
import { parseServerAddress } from './server-address.js'

describe('parseServerAddress', () => {
  it('reads IPv4 and IPv6 addresses with and without a port', () => {
    expect(parseServerAddress('192.0.2.1')).toEqual({
      host: '192.0.2.1',
      port: 53,
      label: '192.0.2.1:53',
    })
    expect(parseServerAddress('127.0.0.1:5353').port).toBe(5353)
    expect(parseServerAddress('2001:db8::1')).toMatchObject({ host: '2001:db8::1', port: 53 })
    expect(parseServerAddress('[2001:db8::1]:5353')).toEqual({
      host: '2001:db8::1',
      port: 5353,
      label: '[2001:db8::1]:5353',
    })
  })

  it('refuses names and bad ports with ERR_DNS_INVALID_ARGUMENT saying what to give', () => {
    for (const bad of ['ns1.example.com', '127.0.0.1:0', '127.0.0.1:70000', '', '[::1]:x']) {
      expect(() => parseServerAddress(bad)).toThrow(
        expect.objectContaining({
          code: 'ERR_DNS_INVALID_ARGUMENT',
          message: expect.stringContaining('IP address'),
        }),
      )
    }
  })
})
