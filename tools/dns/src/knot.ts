import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, SupervisedProcess } from '@autotls/pebble'
import type { DnsServer } from './dns-server.js'
import { findProgram } from './find-program.js'
import type { TsigKey } from './tsig-key.js'
import { waitForSoa } from './wait-for-soa.js'
import { type ZoneSpec, zoneFile } from './zone-file.js'
import { zoneRecords } from './zone-records.js'

/** How {@link startKnot} runs knotd. */
export interface KnotOptions {
  readonly zones: readonly ZoneSpec[]
  /** Key allowed to update TXT records in the zones (RFC 2136). */
  readonly tsigKey?: TsigKey
  readonly startTimeoutMs?: number
}

/**
 * Starts Knot DNS (`knotd`) on a free loopback port with the given zones as primary, updates of
 * TXT records allowed for `tsigKey`, under `@autotls/pebble`'s process guard.
 *
 * @example
 * const knot = await startKnot({ zones: [{ name: 'example.test' }], tsigKey: newTsigKey() })
 * try { ...send updates to knot.address... } finally { await knot.stop() }
 */
export async function startKnot(options: KnotOptions): Promise<DnsServer> {
  const knotd = await findProgram('knotd', 'knot')
  const host = '127.0.0.1'
  const port = await freePort({ udp: true })
  const dir = await mkdtemp(join(tmpdir(), 'autotls-knot-'))
  const key = options.tsigKey
  const conf = [
    'server:',
    `  rundir: "${dir}"`,
    `  listen: ${host}@${port}`,
    'control:',
    `  listen: "${dir}/knot.sock"`,
    'log:',
    '  - target: stderr',
    '    any: info',
    'database:',
    `  storage: "${dir}"`,
    ...(key
      ? [
          'key:',
          `  - id: ${key.name}`,
          `    algorithm: ${key.algorithm}`,
          `    secret: ${key.secret}`,
        ]
      : []),
    'acl:',
    '  - id: transfer',
    `    address: ${host}`,
    '    action: transfer',
    ...(key
      ? ['  - id: update', `    key: ${key.name}`, '    action: update', '    update-type: [TXT]']
      : []),
    'template:',
    '  - id: default',
    `    storage: "${dir}"`,
    '    file: "%s.zone"',
    '    zonefile-sync: -1',
    '    journal-content: changes',
    `    acl: [transfer${key ? ', update' : ''}]`,
    'zone:',
    ...options.zones.map((zone) => `  - domain: ${zone.name}`),
    '',
  ].join('\n')
  for (const zone of options.zones) await writeFile(join(dir, `${zone.name}.zone`), zoneFile(zone))
  await writeFile(join(dir, 'knot.conf'), conf)
  const knot = new SupervisedProcess('knotd', knotd, ['-c', join(dir, 'knot.conf')], process.env)
  const stop = async (): Promise<void> => {
    await knot.stop()
    await rm(dir, { recursive: true, force: true })
  }
  try {
    for (const zone of options.zones) {
      await waitForSoa(host, port, zone.name, options.startTimeoutMs ?? 15_000, knot.exitedEarly())
    }
  } catch (error) {
    await stop()
    throw error
  }
  return {
    host,
    port,
    address: `${host}:${port}`,
    zoneRecords: (zone) => zoneRecords(host, port, zone),
    logs: () => knot.output,
    stop,
  }
}
