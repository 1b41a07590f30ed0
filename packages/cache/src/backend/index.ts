export { abortableSleep } from '../abortable-sleep.js'
export {
  type CheckedWriteOptions,
  checkCallOptions,
  checkLockOptions,
  checkWriteOptions,
  MAX_TTL_MS,
  staleLeaseError,
  type WriteFence,
} from '../check-options.js'
export { compareFencingTokens } from '../compare-fencing-tokens.js'
export { KeptLease, type KeptLeaseOptions } from '../kept-lease.js'
export {
  isProcessGone,
  isTaggedProcessGone,
  type ProcessIdentity,
  processIdentity,
  processTag,
} from '../process-identity.js'
export { assertValidKey, isValidKey, MAX_KEY_LENGTH } from '../valid-key.js'
