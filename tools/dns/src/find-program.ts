import { findOnPath } from '@autotls/pebble'
import { DnsServerError } from './errors.js'

/** The path of `name` on PATH (also /usr/sbin), or a DnsServerError saying what to install. */
export async function findProgram(name: string, debianPackage: string): Promise<string> {
  const found = (await findOnPath(name)) ?? (await findOnPath(`/usr/sbin/${name}`))
  if (found === null) {
    throw new DnsServerError(
      'ERR_DNS_SERVER_NOT_FOUND',
      `${name} not found: apt-get install -y ${debianPackage} (or run tools/dev/setup.sh --test)`,
    )
  }
  return found
}
