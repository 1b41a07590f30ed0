/**
 * A signal that aborts with a `TimeoutError` after `ms`, like `AbortSignal.timeout(ms)`, but whose
 * timer holds its controller strongly. On Node 20, `AbortSignal.any([caller, AbortSignal.timeout(ms)])`
 * can be garbage-collected together with its timeout source before the time is up, and a wait on
 * nothing but that signal (a poll's sleep, a stalled socket) then never ends. The timer is unref'd:
 * it never keeps a process alive on its own.
 *
 * @example
 * const signal = AbortSignal.any([caller, timeoutSignal(30_000)])
 */
export function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController()
  setTimeout(() => {
    controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'))
  }, ms).unref()
  return controller.signal
}
