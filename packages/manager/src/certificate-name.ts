import { normalizeHostname } from '@autotls/crypto'
import type { HostPolicy } from './host-policy.js'

/**
 * Which certificate serves an allowed name: the name itself, or, with DNS-01 configured, the
 * wildcard certificate of the `*.example.com` pattern of a list policy that allows it. That one
 * certificate covers `*.example.com` and `example.com`, so every subdomain and the apex map to
 * the pattern: one identity, one order, one renewal. Function policies name no patterns: their
 * names get certificates of their own.
 *
 * @example
 * const certificateName = certificateNamer(['*.example.com'], true)
 * certificateName('a.example.com') // '*.example.com'
 * certificateName('example.com') // '*.example.com'
 * certificateName('a.b.example.com') // 'a.b.example.com'
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.1.3
 */
export function certificateNamer(
  policy: HostPolicy,
  wildcardCertificates: boolean,
): (name: string) => string {
  const patterns = new Set<string>()
  if (wildcardCertificates && Array.isArray(policy)) {
    for (const entry of policy as readonly string[]) {
      if (!entry.startsWith('*.')) continue
      patterns.add(normalizeHostname(entry, { allowWildcard: true }))
    }
  }
  if (patterns.size === 0) return (name) => name
  return (name) => {
    if (patterns.has(name) || name.startsWith('*.')) return name
    if (patterns.has(`*.${name}`)) return `*.${name}`
    const dot = name.indexOf('.')
    const parent = dot > 0 ? `*${name.slice(dot)}` : ''
    return patterns.has(parent) ? parent : name
  }
}
