/** Stable codes for everything that can go wrong while running the test CA. */
export type PebbleErrorCode =
  | 'ERR_PEBBLE_NOT_FOUND'
  | 'ERR_PEBBLE_START'
  | 'ERR_PEBBLE_REQUEST'
  | 'ERR_PEBBLE_STOPPED'

/** The one error class of `@autotls/pebble`; switch on `code`. */
export class PebbleError extends Error {
  readonly code: PebbleErrorCode

  constructor(code: PebbleErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PebbleError'
    this.code = code
  }
}
