import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { newTsigKey, startBind, startKnot, startPowerDns, startUnbound } from '../src/index.js'

const run = promisify(execFile)

async function dig(address: string, ...args: string[]): Promise<string> {
  const [host, port] = address.split(':') as [string, string]
  const { stdout } = await run('dig', ['+short', '-p', port, `@${host}`, ...args])
  return stdout.trim()
}

const zone = { name: 'example.test' }
const baseline = [
  'example.test. IN A 127.0.0.1',
  'example.test. IN NS ns1.example.test.',
  '*.example.test. IN A 127.0.0.1',
  'ns1.example.test. IN A 127.0.0.1',
].sort()

describe('test DNS servers', () => {
  it('BIND serves the zone with * A 127.0.0.1 and stops', async () => {
    const bind = await startBind({ zones: [zone], tsigKey: newTsigKey() })
    try {
      expect(await bind.zoneRecords('example.test')).toEqual(baseline)
      expect(await dig(bind.address, '+norec', 'A', 'anything.example.test')).toBe('127.0.0.1')
    } finally {
      await bind.stop()
    }
    await expect(bind.zoneRecords('example.test')).rejects.toThrow()
  })

  it('a BIND secondary transfers the zone from its primary', async () => {
    const primary = await startBind({ zones: [zone] })
    const secondary = await startBind({ zones: [zone], primary })
    try {
      expect(await secondary.zoneRecords('example.test')).toEqual(baseline)
    } finally {
      await secondary.stop()
      await primary.stop()
    }
  })

  it('Knot serves the zone', async () => {
    const knot = await startKnot({ zones: [zone], tsigKey: newTsigKey() })
    try {
      expect(await knot.zoneRecords('example.test')).toEqual(baseline)
    } finally {
      await knot.stop()
    }
  })

  it('PowerDNS serves the zone and its API answers with the key', async () => {
    const pdns = await startPowerDns({ zones: [zone] })
    try {
      expect(await pdns.zoneRecords('example.test')).toEqual(baseline)
      const res = await fetch(`${pdns.apiUrl}/api/v1/servers/localhost/zones/example.test.`, {
        headers: { 'X-API-Key': pdns.apiKey },
      })
      expect(res.status).toBe(200)
    } finally {
      await pdns.stop()
    }
  })

  it('unbound follows a CNAME from one stub zone into another', async () => {
    const bind = await startBind({
      zones: [
        { name: 'example.test', records: ['alias CNAME target.other.test.'] },
        { name: 'other.test', records: ['target TXT "hello"'] },
      ],
    })
    const unbound = await startUnbound({
      stubs: [
        { zone: 'example.test', host: bind.host, port: bind.port },
        { zone: 'other.test', host: bind.host, port: bind.port },
      ],
    })
    try {
      expect(await dig(unbound.address, 'TXT', 'alias.example.test')).toContain('"hello"')
    } finally {
      await unbound.stop()
      await bind.stop()
    }
  })
})
