import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { DnsServerError } from './errors.js'

const run = promisify(execFile)

/**
 * The records of `zone` on the server at `host:port`, by zone transfer (`dig AXFR`): one line
 * each (`name class type data`), sorted, SOA left out (its serial moves with every update).
 */
export async function zoneRecords(host: string, port: number, zone: string): Promise<string[]> {
  const { stdout } = await run('dig', [
    '+noall',
    '+answer',
    '+nottlid',
    '-p',
    String(port),
    `@${host}`,
    'AXFR',
    `${zone}.`,
  ]).catch((error: unknown) => {
    throw new DnsServerError(
      'ERR_DNS_SERVER_START',
      `AXFR of ${zone} from ${host}:${port} failed`,
      {
        cause: error,
      },
    )
  })
  const all = stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/).join(' '))
    .filter((line) => line !== '' && !line.startsWith(';'))
  const lines = all.filter((line) => !/ SOA /.test(line))
  if (lines.length === all.length) {
    throw new DnsServerError(
      'ERR_DNS_SERVER_START',
      `AXFR of ${zone} from ${host}:${port} returned nothing: ${stdout}`,
    )
  }
  return [...new Set(lines)].sort()
}
