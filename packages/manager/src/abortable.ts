/**
 * Races `promise` against `signal`: rejects with the signal's reason as soon as it aborts, without
 * stopping the work behind `promise` (shared work runs under its owner's lifetime; each caller
 * races its own signal).
 *
 * @example
 * const client = await abortable(sharedClient, callerSignal)
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/**
 * Waits `ms` on an unref'd timer (a library never keeps a process alive), or rejects with the
 * signal's reason when it aborts first.
 *
 * @example
 * await sleep(1000, signal)
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    timer.unref()
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
