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

/** A signal that aborts when either of two does, and how to let go of both. */
export interface EitherSignal {
  readonly signal: AbortSignal
  /** Removes the listeners from both sources: call it once the work is done. */
  dispose(): void
}

/**
 * Like `AbortSignal.any([a, b])`, for a call under a long-lived signal (the manager's lifetime).
 * On Node 20, every `AbortSignal.any` leaves a `WeakRef` in each source's set of dependants that
 * is not removed while the source lives: one per issuance under the lifetime grew the heap by
 * about 60 bytes per failing name (packages/manager/test/bench-failures.ts).
 *
 * @example
 * const either = eitherSignal(lifetime, lease.lost)
 * try { await work(either.signal) } finally { either.dispose() }
 */
export function eitherSignal(a: AbortSignal, b: AbortSignal): EitherSignal {
  const controller = new AbortController()
  const onA = (): void => controller.abort(a.reason)
  const onB = (): void => controller.abort(b.reason)
  const dispose = (): void => {
    a.removeEventListener('abort', onA)
    b.removeEventListener('abort', onB)
  }
  if (a.aborted) onA()
  else if (b.aborted) onB()
  else {
    a.addEventListener('abort', onA, { once: true })
    b.addEventListener('abort', onB, { once: true })
  }
  return { signal: controller.signal, dispose }
}
