import { DnsError } from '@autotls/dns/provider'
import type { TsigKey } from './tsig.js'

/**
 * Reads a TSIG key from the text of a key file as the servers' tools write it: BIND's
 * `tsig-keygen` (`key "name" { algorithm hmac-sha256; secret "…"; };`), Knot's `keymgr -t`
 * (`- id: name` / `algorithm:` / `secret:`, or its `# hmac-sha256:name:secret` comment line), or
 * that `algorithm:name:secret` triple alone (as `nsupdate -y` and `dig -y` take it).
 *
 * @example
 * const tsig = parseTsigKey(await readFile('/etc/bind/acme-update.key', 'utf8'))
 * @see https://bind9.readthedocs.io/en/v9.18.0/manpages.html#tsig-keygen-tsig-key-generation-tool
 */
export function parseTsigKey(text: string): TsigKey {
  const bind = /key\s+"?([^"\s{]+)"?\s*\{([^}]*)\}/.exec(text)
  const triple = /(?:^|[\s#])(hmac-[a-z0-9]+):([^:\s]+):([A-Za-z0-9+/]+=*)/m.exec(text)
  const knotId = /^\s*-\s*id:\s*"?([^"\s]+)"?\s*$/m.exec(text)
  let name: string | undefined
  let algorithm: string | undefined
  let secret: string | undefined
  if (bind) {
    name = bind[1]
    algorithm = /algorithm\s+"?([a-z0-9-]+)"?\s*;/i.exec(bind[2] ?? '')?.[1]
    secret = /secret\s+"([^"]+)"\s*;/.exec(bind[2] ?? '')?.[1]
  } else if (knotId) {
    name = knotId[1]
    algorithm = /^\s*algorithm:\s*"?([a-z0-9-]+)"?\s*$/im.exec(text)?.[1]
    secret = /^\s*secret:\s*"?([A-Za-z0-9+/]+=*)"?\s*$/m.exec(text)?.[1]
  } else if (triple) {
    algorithm = triple[1]
    name = triple[2]
    secret = triple[3]
  }
  if (!name || !algorithm || !secret) {
    throw new DnsError(
      'ERR_DNS_INVALID_ARGUMENT',
      'no TSIG key found: give the output of `tsig-keygen -a hmac-sha256 <name>` or `keymgr -t <name>`',
    )
  }
  if (algorithm.toLowerCase() !== 'hmac-sha256') {
    throw new DnsError(
      'ERR_DNS_INVALID_ARGUMENT',
      `TSIG key ${name} uses ${algorithm}: only hmac-sha256 is supported; make one with tsig-keygen -a hmac-sha256`,
    )
  }
  return { name, secret, algorithm: 'hmac-sha256' }
}
