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

/** How {@link startBind} runs named. */
export interface BindOptions {
  readonly zones: readonly ZoneSpec[]
  /** Key allowed to update TXT records anywhere in the zones (RFC 2136). */
  readonly tsigKey?: TsigKey
  /**
   * Serve the zones as a secondary of this primary (`host` and `port`) instead: it transfers
   * them at start and then every SOA refresh interval (no NOTIFY is sent).
   */
  readonly primary?: { readonly host: string; readonly port: number }
  readonly startTimeoutMs?: number
}

/**
 * Starts BIND 9 (`named -g`) on a free loopback port with the given zones, authoritative only,
 * under `@autotls/pebble`'s process guard.
 *
 * @example
 * const bind = await startBind({ zones: [{ name: 'example.test' }], tsigKey: newTsigKey() })
 * try { ...send updates to bind.address... } finally { await bind.stop() }
 */
export async function startBind(options: BindOptions): Promise<DnsServer> {
  const named = await findProgram('named', 'bind9')
  const host = '127.0.0.1'
  const port = await freePort({ udp: true })
  const dir = await mkdtemp(join(tmpdir(), 'autotls-bind-'))
  const key = options.tsigKey
  const conf = [
    key ? `key "${key.name}" { algorithm ${key.algorithm}; secret "${key.secret}"; };` : '',
    'options {',
    `  directory "${dir}";`,
    '  pid-file none;',
    '  session-keyfile none;',
    `  listen-on port ${port} { ${host}; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  dnssec-validation no;',
    '  notify no;',
    '  allow-transfer { any; };',
    '  min-refresh-time 1;',
    '  min-retry-time 1;',
    '};',
    'controls { };',
    ...options.zones.map((zone) =>
      options.primary
        ? `zone "${zone.name}" { type secondary; file "${dir}/${zone.name}.zone"; primaries { ${options.primary.host} port ${options.primary.port}; }; };`
        : `zone "${zone.name}" { type primary; file "${dir}/${zone.name}.zone";${
            key ? ` update-policy { grant ${key.name} zonesub TXT; };` : ''
          } };`,
    ),
    '',
  ].join('\n')
  if (!options.primary) {
    for (const zone of options.zones)
      await writeFile(join(dir, `${zone.name}.zone`), zoneFile(zone))
  }
  await writeFile(join(dir, 'named.conf'), conf)
  const process_ = new SupervisedProcess(
    'named',
    named,
    ['-g', '-c', join(dir, 'named.conf')],
    process.env,
  )
  const stop = async (): Promise<void> => {
    await process_.stop()
    await rm(dir, { recursive: true, force: true })
  }
  try {
    for (const zone of options.zones) {
      await waitForSoa(
        host,
        port,
        zone.name,
        options.startTimeoutMs ?? 15_000,
        process_.exitedEarly(),
      )
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
    logs: () => process_.output,
    stop,
  }
}
