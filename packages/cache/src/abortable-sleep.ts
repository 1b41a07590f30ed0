/**
 * Resolves after `ms`, or rejects with `signal.reason` as soon as `signal` aborts: the wait every
 * backend's `lock()` does between attempts.
 *
 * @example
 * await abortableSleep(50, options.signal)
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
