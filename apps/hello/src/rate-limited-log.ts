import type { Logger } from 'pino'

/**
 * Warnings for events that can come by the thousand (dropped connections, refused names): the
 * first of each kind is logged at once, the next ones of that kind at most once per `intervalMs`,
 * with how many were left out meanwhile. Holds one entry per kind: callers use a small, fixed set
 * of kinds (error codes), never raw network input.
 */
export function rateLimitedWarn(
  logger: Logger,
  intervalMs = 10_000,
  now: () => number = Date.now,
): (kind: string, fields: Record<string, unknown>, message: string) => void {
  const kinds = new Map<string, { last: number; suppressed: number }>()
  return (kind, fields, message) => {
    const entry = kinds.get(kind)
    const t = now()
    if (entry && t - entry.last < intervalMs) {
      entry.suppressed++
      return
    }
    const suppressed = entry?.suppressed ?? 0
    kinds.set(kind, { last: t, suppressed: 0 })
    logger.warn({ ...fields, kind, ...(suppressed > 0 ? { suppressed } : {}) }, message)
  }
}
