/**
 * The targets of every `Link` header entry with the given `rel`, resolved against `base`.
 *
 * @example
 * linkTargets(headers, 'alternate', certUrl) // ['https://ca.example/cert/1/1', ...]
 * @see https://www.rfc-editor.org/rfc/rfc8288#section-3
 */
export function linkTargets(headers: Headers, rel: string, base: string): string[] {
  const value = headers.get('link')
  if (!value) return []
  const targets: string[] = []
  const pattern = /<([^>]*)>((?:\s*;\s*[^;,]+)*)/g
  for (const match of value.matchAll(pattern)) {
    const params = match[2] ?? ''
    const relMatch = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params)
    const rels = (relMatch?.[1] ?? relMatch?.[2] ?? '').toLowerCase().split(/\s+/)
    if (!rels.includes(rel.toLowerCase())) continue
    try {
      targets.push(new URL(match[1] ?? '', base).toString())
    } catch {
      // An unparseable target is not a link we can follow.
    }
  }
  return targets
}
