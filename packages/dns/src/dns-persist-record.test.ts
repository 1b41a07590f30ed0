import { describe, expect, it } from 'vitest'
import { dnsPersistRecord } from './dns-persist-record.js'

describe('dnsPersistRecord', () => {
  it('draft-ietf-acme-dns-persist: issuer, accounturi, policy and persistUntil at _validation-persist', () => {
    expect(
      dnsPersistRecord({
        name: '*.Example.com',
        issuerDomainName: 'letsencrypt.org',
        accountUri: 'https://acme.example/acct/1',
        wildcard: true,
        persistUntil: new Date('2030-01-01T00:00:00Z'),
      }),
    ).toEqual({
      name: '_validation-persist.example.com',
      value:
        'letsencrypt.org; accounturi=https://acme.example/acct/1; policy=wildcard; persistUntil=1893456000',
      ttl: 3600,
    })
    expect(
      dnsPersistRecord({ name: 'a.test', issuerDomainName: 'ca.test', accountUri: 'u', ttl: 60 }),
    ).toEqual({ name: '_validation-persist.a.test', value: 'ca.test; accounturi=u', ttl: 60 })
  })
})
