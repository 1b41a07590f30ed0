/** Every stable code of `@autotls/bench`, as a runtime list (the repository's one convention). */
export const BENCH_ERROR_CODES = [
  'ERR_BENCH_TOOL_MISSING',
  'ERR_BENCH_BUILD',
  'ERR_BENCH_PROCESS',
  'ERR_BENCH_TIMEOUT',
  'ERR_BENCH_LOAD',
  'ERR_BENCH_HELLO_MISSING',
] as const

/** Stable codes for everything that can stop a benchmark. */
export type BenchErrorCode = (typeof BENCH_ERROR_CODES)[number]

/** The one error class of `@autotls/bench`; switch on `code`. */
export class BenchError extends Error {
  readonly code: BenchErrorCode

  constructor(code: BenchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BenchError'
    this.code = code
  }
}
