/**
 * The first system error code (`EACCES`, `ECONNREFUSED`…) or library code found along `error`'s
 * cause chain, else its message: what a one-line diagnosis should name.
 */
export function systemCode(error: unknown): string {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code
  }
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return error instanceof Error ? error.message : String(error)
}
