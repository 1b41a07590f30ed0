import { describe, expect, it } from 'vitest'
import { BenchError } from '../src/bench-error.js'
import { parseH2loadOutput } from '../src/h2load.js'

const SAMPLE = `starting benchmark...
spawning thread #0: 16 total client(s). 1000 total requests
TLS Protocol: TLSv1.3
Cipher: TLS_AES_128_GCM_SHA256
Server Temp Key: X25519 253 bits
Application protocol: http/1.1
progress: 100% done

finished in 1.79s, 558.57 req/s, 0B/s
requests: 1000 total, 1000 started, 1000 done, 997 succeeded, 2 failed, 1 errored, 0 timeout
status codes: 997 2xx, 0 3xx, 0 4xx, 0 5xx
`

describe('parseH2loadOutput', () => {
  it('reads the request rate and counts failed, errored and timed-out requests as failures', () => {
    expect(parseH2loadOutput(SAMPLE)).toEqual({
      requestsPerSecond: 558.57,
      succeeded: 997,
      failed: 3,
    })
  })

  it('reads a run shorter than a second (h2load prints milliseconds)', () => {
    const fast = SAMPLE.replace('finished in 1.79s, 558.57', 'finished in 962.21ms, 20785.44')
    expect(parseH2loadOutput(fast).requestsPerSecond).toBe(20785.44)
  })

  it('rejects output without a summary with ERR_BENCH_LOAD instead of reporting zero', () => {
    const error = (() => {
      try {
        parseH2loadOutput('starting benchmark...\n')
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(BenchError)
    expect((error as BenchError).code).toBe('ERR_BENCH_LOAD')
  })
})
