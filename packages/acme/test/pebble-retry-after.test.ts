import { createServer, type Server } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import { findPebbleInstall, type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChallengeSolver, issueCertificate } from '../src/index.js'
import { type Exchange, transcriptClient } from './ca-transcript.js'

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
    let http: Server
    /** http-01 answers, each given out only once `release` resolves. */
    const answers = new Map<string, { body: string; release: Promise<void> }>()

    beforeAll(async () => {
      // Pebble sends Retry-After on an authorization only while its challenge is being validated,
      // and on an order being issued; it picks the delta-seconds or the HTTP-date form at random.
      pebble = await startPebble({
        nonceRejectPercent: 0,
        authzReusePercent: 0,
        retryAfter: { authz: RETRY_AFTER_S, order: RETRY_AFTER_S },
      })
      http = createServer(async (req, res) => {
        const token = req.url?.split('/').at(-1) ?? ''
        const answer = answers.get(token)
        if (answer) await answer.release
        res.writeHead(answer ? 200 : 404).end(answer?.body)
      })
      await new Promise<void>((resolve) => http.listen(pebble.httpPort, '127.0.0.1', resolve))
    })
    afterAll(async () => {
      http?.closeAllConnections()
      await new Promise((resolve) => http?.close(resolve))
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
          const release = (async () => {
            while (authzPollsAnswered() < 2) await delay(20)
          })()
          answers.set(token, { body: keyAuthorization, release })
        },
        cleanup: async ({ token }) => {
          answers.delete(token)
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
