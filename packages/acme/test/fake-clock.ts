/** An injected clock whose sleeps return at once and move time forward; records every wait. */
export function fakeClock(start = Date.UTC(2026, 0, 1)): {
  now: () => number
  sleep: (ms: number) => Promise<void>
  sleeps: number[]
} {
  let time = start
  const sleeps: number[] = []
  return {
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms)
      time += ms
    },
    sleeps,
  }
}
