/**
 * Reads a `Retry-After` header (delay-seconds or an HTTP-date) as milliseconds from `now`;
 * `undefined` when absent or unreadable. Dates in the past give 0.
 *
 * @example
 * parseRetryAfter('120', Date.now()) // 120000
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  if (!/[A-Za-z]/.test(text)) return undefined
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
