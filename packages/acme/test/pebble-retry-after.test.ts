import { findPebbleInstall, type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChallengeSolver, issueCertificate } from '../src/index.js'
import { type Exchange, transcriptClient } from './ca-transcript.js'
import { type HeldHttp01, heldHttp01, until } from './held-http01.js'

const install = await findPebbleInstall()
const RETRY_AFTER_S = 2

/** The wait a Retry-After value asks for, counted from when the answer arrived. */
function askedWait(exchange: Exchange): number {
  const value = exchange.retryAfter as string
  return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - exchange.answeredAt
}

describe(
  `Retry-After on polls (RFC 8555 §8.2, §7.4) against ${install.description}`,
  install.requires('retryAfter'),
  () => {
    let pebble: Pebble
    let http: HeldHttp01

    beforeAll(async () => {
      // Pebble sends Retry-After on an authorization only while its challenge is being validated,
      // and on an order being issued; it picks the delta-seconds or the HTTP-date form at random.
      pebble = await startPebble({
        nonceRejectPercent: 0,
        authzReusePercent: 0,
        retryAfter: { authz: RETRY_AFTER_S, order: RETRY_AFTER_S },
      })
      http = await heldHttp01(pebble.httpPort)
    })
    afterAll(async () => {
      await http?.close()
      await pebble?.stop()
    })

    it('waits exactly the Retry-After of every authorization and order answer before polling again', async () => {
      const transcript = await transcriptClient(pebble)
      const authzPollsAnswered = (): number =>
        transcript.exchanges((e) => e.url.includes('/authZ/') && e.retryAfter !== null).length
      // Hold Pebble's validation request until two polls have seen the challenge still processing.
      const solver: ChallengeSolver = {
        type: 'http-01',
        present: async ({ token, keyAuthorization }) => {
          http.set(
            token,
            keyAuthorization,
            until(() => authzPollsAnswered() >= 2),
          )
        },
        cleanup: async ({ token }) => {
          http.delete(token)
        },
      }
      await issueCertificate({
        client: transcript.client,
        identifiers: ['polls.retry-after.test'],
        solvers: [solver],
      })

      const { events } = transcript
      const asked = events.flatMap((e, i) =>
        e.kind === 'exchange' && e.retryAfter !== null
          ? [{ exchange: e, next: events[i + 1] }]
          : [],
      )
      const authz = asked.filter((a) => a.exchange.url.includes('/authZ/'))
      const order = asked.filter((a) => !a.exchange.url.includes('/authZ/'))
      expect(authz.length).toBeGreaterThanOrEqual(2)
      expect(order.length).toBeGreaterThanOrEqual(1)
      for (const { exchange, next } of asked) {
        expect(next).toEqual({ kind: 'pause', ms: askedWait(exchange) })
      }
    })
  },
)
