import { AcmeError } from './errors.js'

/**
 * A CA's renewal advice for one certificate.
 * @see https://www.rfc-editor.org/rfc/rfc9773#section-4.2
 */
export interface RenewalInfo {
  readonly suggestedWindow: { readonly start: Date; readonly end: Date }
  readonly explanationUrl?: string
  /** When to ask again: Retry-After clamped to [1 minute, 1 day] (6 hours when absent). */
  readonly retryAfterMs: number
}

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
const DEFAULT_RETRY_MS = 6 * 60 * MINUTE

/**
 * Validates a renewalInfo response: the window must have a `start` and an `end` that are dates
 * with `end` after `start`; Retry-After is clamped to [1 minute, 1 day].
 *
 * @see https://www.rfc-editor.org/rfc/rfc9773#section-4.2
 */
export function parseRenewalInfo(
  value: unknown,
  retryAfterMs: number | undefined,
  url: string,
): RenewalInfo {
  const window = (value as { suggestedWindow?: { start?: unknown; end?: unknown } } | null)
    ?.suggestedWindow
  const start = typeof window?.start === 'string' ? new Date(window.start) : undefined
  const end = typeof window?.end === 'string' ? new Date(window.end) : undefined
  if (!start || !end || Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    throw new AcmeError('ERR_ACME_RESPONSE', `renewalInfo from ${url} has no valid suggestedWindow`)
  }
  if (end.getTime() <= start.getTime()) {
    throw new AcmeError(
      'ERR_ACME_RESPONSE',
      `renewalInfo from ${url} has a suggestedWindow whose end is not after its start`,
    )
  }
  const explanation = (value as { explanationURL?: unknown }).explanationURL
  return {
    suggestedWindow: { start, end },
    ...(typeof explanation === 'string' ? { explanationUrl: explanation } : {}),
    retryAfterMs: Math.min(DAY, Math.max(MINUTE, retryAfterMs ?? DEFAULT_RETRY_MS)),
  }
}
