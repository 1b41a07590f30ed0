import { it } from 'vitest'
import { checkLifecycle } from './lifecycle.js'

// lifecycle-b.test.ts runs the same check in another worker at the same time: free ports per
// start mean the two Pebbles never clash.
it(
  'starts a Pebble next to another test file, serves its directory over TLS, and stops it',
  checkLifecycle,
)
