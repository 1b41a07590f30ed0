import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, SupervisedProcess } from '@autotls/pebble'
import type { DnsServer } from './dns-server.js'
import { findProgram } from './find-program.js'
import { waitForSoa } from './wait-for-soa.js'
import { zoneRecords } from './zone-records.js'

/** How {@link startUnbound} runs unbound. */
export interface UnboundOptions {
  /** Zones it resolves by asking the given authoritative server (`stub-zone`). */
  readonly stubs: readonly { readonly zone: string; readonly host: string; readonly port: number }[]
  readonly startTimeoutMs?: number
}

/**
 * Starts unbound, a recursive resolver, on a free loopback port. It resolves only the stub zones
 * given (each from its authoritative test server), follows CNAMEs across them, validates nothing
 * and caches nothing, so every answer is as fresh as the servers behind it.
 *
 * @example
 * const resolver = await startUnbound({ stubs: [{ zone: 'example.test', host: bind.host, port: bind.port }] })
 */
export async function startUnbound(options: UnboundOptions): Promise<DnsServer> {
  const unbound = await findProgram('unbound', 'unbound')
  const host = '127.0.0.1'
  const port = await freePort({ udp: true })
  const dir = await mkdtemp(join(tmpdir(), 'autotls-unbound-'))
  const conf = [
    'server:',
    `  interface: ${host}@${port}`,
    `  port: ${port}`,
    '  do-ip6: no',
    '  username: ""',
    '  chroot: ""',
    `  directory: "${dir}"`,
    `  pidfile: "${dir}/unbound.pid"`,
    '  use-syslog: no',
    '  logfile: ""',
    '  verbosity: 1',
    '  num-threads: 1',
    '  do-not-query-localhost: no',
    '  module-config: "iterator"',
    '  qname-minimisation: no',
    '  cache-max-ttl: 0',
    '  cache-max-negative-ttl: 0',
    '  access-control: 127.0.0.0/8 allow',
    ...options.stubs.flatMap((stub) => [
      `  local-zone: "${stub.zone}." nodefault`,
      `  domain-insecure: "${stub.zone}."`,
    ]),
    '  local-zone: "test." nodefault',
    'remote-control:',
    '  control-enable: no',
    ...options.stubs.flatMap((stub) => [
      'stub-zone:',
      `  name: "${stub.zone}."`,
      `  stub-addr: ${stub.host}@${stub.port}`,
    ]),
    '',
  ].join('\n')
  await writeFile(join(dir, 'unbound.conf'), conf)
  const process_ = new SupervisedProcess(
    'unbound',
    unbound,
    ['-d', '-c', join(dir, 'unbound.conf')],
    process.env,
  )
  const stop = async (): Promise<void> => {
    await process_.stop()
    await rm(dir, { recursive: true, force: true })
  }
  try {
    for (const stub of options.stubs) {
      await waitForSoa(
        host,
        port,
        stub.zone,
        options.startTimeoutMs ?? 15_000,
        process_.exitedEarly(),
        true,
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
