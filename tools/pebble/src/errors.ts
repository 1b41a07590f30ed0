/** Every code a {@link PebbleError} can carry (the repository's `ERR_<FAMILY>_<WHAT>` rule). */
export const PEBBLE_ERROR_CODES = [
  'ERR_PEBBLE_NOT_FOUND',
  'ERR_PEBBLE_START',
  'ERR_PEBBLE_REQUEST',
  'ERR_PEBBLE_UNSUPPORTED',
] as const

/** Stable codes for everything that can go wrong while running the test CA. */
export type PebbleErrorCode = (typeof PEBBLE_ERROR_CODES)[number]

/** The one error class of `@autotls/pebble`; switch on `code`. */
export class PebbleError extends Error {
  readonly code: PebbleErrorCode

  constructor(code: PebbleErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PebbleError'
    this.code = code
  }
}
