import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort, SupervisedProcess } from '@autotls/pebble'
import type { DnsServer } from './dns-server.js'
import { DnsServerError } from './errors.js'
import { findProgram } from './find-program.js'
import { waitForSoa } from './wait-for-soa.js'
import { type ZoneSpec, zoneFile } from './zone-file.js'
import { zoneRecords } from './zone-records.js'

const run = promisify(execFile)

/** How {@link startPowerDns} runs pdns_server. */
export interface PowerDnsOptions {
  readonly zones: readonly ZoneSpec[]
  readonly startTimeoutMs?: number
}

/** A PowerDNS Authoritative Server with its HTTP API switched on. */
export interface PowerDnsServer extends DnsServer {
  /** Base URL of the API, e.g. `http://127.0.0.1:8081`. */
  readonly apiUrl: string
  /** The `X-API-Key` it accepts. */
  readonly apiKey: string
}

/**
 * Starts `pdns_server` with the SQLite backend on free loopback ports (DNS and the HTTP API), the
 * zones loaded with `pdnsutil`, packet and query caches off, under `@autotls/pebble`'s guard.
 *
 * @example
 * const pdns = await startPowerDns({ zones: [{ name: 'example.test' }] })
 * try { ...call pdns.apiUrl with pdns.apiKey... } finally { await pdns.stop() }
 */
export async function startPowerDns(options: PowerDnsOptions): Promise<PowerDnsServer> {
  const pdnsServer = await findProgram('pdns_server', 'pdns-server pdns-backend-sqlite3')
  const pdnsutil = await findProgram('pdnsutil', 'pdns-server')
  const sqlite3 = await findProgram('sqlite3', 'sqlite3')
  const host = '127.0.0.1'
  const port = await freePort({ udp: true })
  const apiPort = await freePort()
  const apiKey = randomBytes(16).toString('hex')
  const dir = await mkdtemp(join(tmpdir(), 'autotls-pdns-'))
  const database = join(dir, 'pdns.sqlite3')
  const conf = [
    'launch=gsqlite3',
    `gsqlite3-database=${database}`,
    `local-address=${host}:${port}`,
    `socket-dir=${dir}`,
    'guardian=no',
    'daemon=no',
    'disable-syslog=yes',
    'loglevel=4',
    'webserver=yes',
    `webserver-address=${host}`,
    `webserver-port=${apiPort}`,
    'webserver-allow-from=127.0.0.0/8',
    'api=yes',
    `api-key=${apiKey}`,
    'disable-axfr=no',
    'allow-axfr-ips=127.0.0.0/8',
    'cache-ttl=0',
    'query-cache-ttl=0',
    'negquery-cache-ttl=0',
    'zone-cache-refresh-interval=0',
    '',
  ].join('\n')
  const stopFiles = (): Promise<void> => rm(dir, { recursive: true, force: true })
  try {
    await writeFile(join(dir, 'pdns.conf'), conf)
    await run(sqlite3, [
      database,
      '.read /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql',
    ])
    for (const zone of options.zones) {
      const file = join(dir, `${zone.name}.zone`)
      await writeFile(file, zoneFile(zone))
      await run(pdnsutil, [`--config-dir=${dir}`, 'load-zone', zone.name, file])
    }
  } catch (error) {
    await stopFiles()
    throw new DnsServerError(
      'ERR_DNS_SERVER_START',
      `preparing PowerDNS failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
  const pdns = new SupervisedProcess(
    'pdns_server',
    pdnsServer,
    [`--config-dir=${dir}`],
    process.env,
  )
  const stop = async (): Promise<void> => {
    await pdns.stop()
    await stopFiles()
  }
  try {
    for (const zone of options.zones) {
      await waitForSoa(host, port, zone.name, options.startTimeoutMs ?? 15_000, pdns.exitedEarly())
    }
  } catch (error) {
    await stop()
    throw error
  }
  return {
    host,
    port,
    address: `${host}:${port}`,
    apiUrl: `http://${host}:${apiPort}`,
    apiKey,
    zoneRecords: (zone) => zoneRecords(host, port, zone),
    logs: () => pdns.output,
    stop,
  }
}
