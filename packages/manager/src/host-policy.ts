import { normalizeHostname } from '@autotls/crypto'
import { ManagerError } from './errors.js'

/**
 * Which names the manager may obtain certificates for: a list of exact names and `*.example.com`
 * patterns (one extra label), or a function deciding per normalised name. Without a policy
 * anyone could point DNS at the server and make it exhaust the CA's rate limits, so there is none
 * by default.
 */
export type HostPolicy =
  | readonly string[]
  | ((name: string, options: { signal: AbortSignal }) => boolean | Promise<boolean>)

/** A checked policy: resolves the normalised name, or rejects with a `ManagerError`. */
export type HostCheck = (rawName: string, signal: AbortSignal) => Promise<string>

/**
 * Compiles a {@link HostPolicy} into a check that first normalises the raw name (lowercase,
 * IDNA → ASCII, one trailing dot removed) and rejects invalid names with `ERR_MANAGER_INVALID_NAME`, then
 * asks the policy and rejects with `ERR_MANAGER_HOST_NOT_ALLOWED` — before any cache or network access.
 *
 * With `wildcardCertificates` (DNS-01 configured), each `*.example.com` pattern of a list is
 * served by one wildcard certificate that also covers `example.com`: the apex is allowed too, and
 * the pattern itself passes as a name (`manager.manage(['*.example.com'])`, and its renewal).
 *
 * @example
 * const check = createHostCheck(['example.com', '*.example.net'])
 * await check('WWW.Example.NET.', signal) // 'www.example.net'
 * await check('evil.test', signal) // rejects: ERR_MANAGER_HOST_NOT_ALLOWED
 * @see https://www.rfc-editor.org/rfc/rfc6066#section-3
 */
export function createHostCheck(
  policy: HostPolicy,
  options: { allowIp?: boolean; wildcardCertificates?: boolean } = {},
): HostCheck {
  const allowIp = options.allowIp ?? false
  const wildcards = options.wildcardCertificates ?? false
  let pattern: (rawName: string) => string | null = () => null
  let decide: (name: string, signal: AbortSignal) => boolean | Promise<boolean>
  if (typeof policy === 'function') {
    decide = (name, signal) => policy(name, { signal })
  } else if (Array.isArray(policy)) {
    const exact = new Set<string>()
    const suffixes = new Set<string>()
    for (const entry of policy as readonly string[]) {
      let normalised: string
      try {
        normalised = normalizeHostname(entry, { allowWildcard: true, allowIp })
      } catch (cause) {
        throw new ManagerError('ERR_MANAGER_INVALID_OPTION', `hosts: ${(cause as Error).message}`, {
          cause,
        })
      }
      if (normalised.startsWith('*.')) suffixes.add(normalised.slice(1))
      else exact.add(normalised)
    }
    decide = (name) => {
      if (exact.has(name)) return true
      if (wildcards && suffixes.has(`.${name}`)) return true
      const dot = name.indexOf('.')
      return dot > 0 && suffixes.has(name.slice(dot))
    }
    if (wildcards) {
      pattern = (rawName) => {
        if (!rawName.startsWith('*.')) return null
        try {
          const normalised = normalizeHostname(rawName, { allowWildcard: true })
          return suffixes.has(normalised.slice(1)) ? normalised : null
        } catch {
          return null
        }
      }
    }
  } else {
    throw new ManagerError(
      'ERR_MANAGER_INVALID_OPTION',
      'hosts must be a list of names or a function (name) => boolean',
    )
  }
  return async (rawName, signal) => {
    const wildcard = pattern(rawName)
    if (wildcard !== null) return wildcard
    let name: string
    try {
      name = normalizeHostname(rawName, { allowIp })
    } catch (cause) {
      throw new ManagerError('ERR_MANAGER_INVALID_NAME', (cause as Error).message, { cause })
    }
    if (!(await decide(name, signal))) {
      throw new ManagerError(
        'ERR_MANAGER_HOST_NOT_ALLOWED',
        `host ${JSON.stringify(name)} is not allowed by the host policy: add it to hosts`,
      )
    }
    return name
  }
}
