import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AcmeError } from './errors.js'
import { linkTargets } from './link-header.js'
import { parseRenewalInfo } from './renewal-info.js'
import { parseAccount, parseAuthorization, parseDirectory, parseOrder } from './resources.js'
import { parseRetryAfter } from './retry-after.js'

const URL_ = 'https://ca.example/x'

function onlyAcmeErrors(parse: () => unknown): boolean {
  try {
    parse()
    return true
  } catch (error) {
    return error instanceof AcmeError && error.code === 'ERR_ACME_RESPONSE'
  }
}

describe('parsers of network input (property tests)', () => {
  it('arbitrary JSON either parses or fails with ERR_ACME_RESPONSE, never anything else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) =>
        [parseDirectory, parseAccount, parseOrder, parseAuthorization].every((parse) =>
          onlyAcmeErrors(() => parse(value, URL_)),
        ),
      ),
    )
    fc.assert(
      fc.property(fc.jsonValue(), (value) =>
        onlyAcmeErrors(() => parseRenewalInfo(value, 5, URL_)),
      ),
    )
  })

  it('order-shaped objects with random members never escape validation', () => {
    const order = fc.record({
      status: fc.oneof(fc.constantFrom('pending', 'ready', 'valid'), fc.string()),
      identifiers: fc.array(
        fc.record({ type: fc.string(), value: fc.oneof(fc.string(), fc.integer()) }),
      ),
      authorizations: fc.array(fc.oneof(fc.webUrl(), fc.integer())),
      finalize: fc.oneof(fc.webUrl(), fc.constant(null)),
    })
    fc.assert(fc.property(order, (value) => onlyAcmeErrors(() => parseOrder(value, URL_))))
  })

  it('Link and Retry-After headers of any text never throw', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const headers = new Headers()
        try {
          headers.set('link', text)
        } catch {
          return true
        }
        linkTargets(headers, 'alternate', URL_)
        const retry = parseRetryAfter(text, 0)
        expect(retry === undefined || retry >= 0).toBe(true)
        return true
      }),
    )
  })
})
