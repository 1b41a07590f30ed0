export { PebbleError, type PebbleErrorCode } from './errors.js'
export { freePort } from './free-port.js'
export { httpsRequest } from './https-request.js'
export { type Pebble, type PebbleOptions, startPebble } from './pebble.js'
