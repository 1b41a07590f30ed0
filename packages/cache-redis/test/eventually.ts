/**
 * Retries `operation` until it resolves: waits for a client to notice that Redis is back, which
 * is an outside event, not a timer. Gives up after `timeoutMs` with the last error.
 */
export async function eventually<T>(operation: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await operation()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}
