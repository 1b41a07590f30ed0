export { PEBBLE_ERROR_CODES, PebbleError, type PebbleErrorCode } from './errors.js'
export { findOnPath } from './find-on-path.js'
export { freePort } from './free-port.js'
export { httpsRequest } from './https-request.js'
export { type Pebble, type PebbleOptions, type PebbleProfile, startPebble } from './pebble.js'
export {
  featuresOf,
  PEBBLE_FEATURE_SINCE,
  PEBBLE_INSTALL_COMMAND,
  type PebbleFeature,
  type PebbleFeatures,
} from './pebble-features.js'
export {
  findPebbleInstall,
  PEBBLE_BINARY_ENV,
  type PebbleInstall,
  type PebbleInstallOptions,
} from './pebble-install.js'
export {
  compareVersions,
  type PebbleVersion,
  type PebbleVersionSource,
  readPebbleVersion,
} from './pebble-version.js'
export { type PebbleRequirement, skipUnless } from './skip-unless.js'
export { SupervisedProcess } from './supervised-process.js'
