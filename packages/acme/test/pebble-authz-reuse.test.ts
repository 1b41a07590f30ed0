import { startPebble } from '@autotls/pebble'
import { describe, expect, it } from 'vitest'
import { issueCertificate } from '../src/index.js'
import { pebbleClient } from './pebble-client.js'
import { http01Responder } from './responders.js'

describe('authorization reuse (RFC 8555 §7.1.4)', () => {
  for (const percent of [100, 0]) {
    it(`with PEBBLE_AUTHZREUSE=${percent} a second order for the same name ${percent ? 'skips' : 'solves'} the challenge`, async () => {
      const pebble = await startPebble({ nonceRejectPercent: 0, authzReusePercent: percent })
      const http = await http01Responder(pebble.httpPort)
      try {
        const client = await pebbleClient(pebble)
        await issueCertificate({
          client,
          identifiers: ['reuse.example.test'],
          solvers: [http.solver],
        })
        expect(http.calls.present).toBe(1)
        await issueCertificate({
          client,
          identifiers: ['reuse.example.test'],
          solvers: [http.solver],
        })
        expect(http.calls.present).toBe(percent ? 1 : 2)
        expect(http.calls.cleanup).toBe(http.calls.present)
      } finally {
        await http.close()
        await pebble.stop()
      }
    })
  }
})
