import { it } from 'vitest'
import { checkLifecycle } from './lifecycle.js'

// lifecycle-a.test.ts runs the same check in another worker at the same time.
it('starts a second Pebble in parallel with lifecycle-a and stops it', checkLifecycle)
