/** A signal that aborts when `parent` does or after `ms`; `dispose` stops the timer. */
export interface TimeoutSignal {
  readonly signal: AbortSignal
  /** True once the time ran out (as opposed to the parent aborting). */
  timedOut(): boolean
  dispose(): void
}

/**
 * Like `AbortSignal.any([parent, AbortSignal.timeout(ms)])`, but the timer holds the controller
 * strongly: on Node 20 a composite of `AbortSignal.timeout()` can be garbage-collected before it
 * fires, and a lost datagram would then wait forever.
 *
 * @example
 * const deadline = timeoutSignal(signal, 3000)
 * try { await work(deadline.signal) } finally { deadline.dispose() }
 */
export function timeoutSignal(parent: AbortSignal | undefined, ms: number): TimeoutSignal {
  const controller = new AbortController()
  let expired = false
  const onParentAbort = (): void => controller.abort(parent?.reason)
  const timer = setTimeout(() => {
    expired = true
    controller.abort(new Error(`timed out after ${ms} ms`))
  }, ms)
  if (parent?.aborted) onParentAbort()
  else parent?.addEventListener('abort', onParentAbort, { once: true })
  return {
    signal: controller.signal,
    timedOut: () => expired,
    dispose: () => {
      clearTimeout(timer)
      parent?.removeEventListener('abort', onParentAbort)
    },
  }
}
