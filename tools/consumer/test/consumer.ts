import { inject } from 'vitest'
import type { ConsumerDir } from '../src/consumer-dir.js'

/** The consumer project the global setup installed; throws its failure if there is none. */
export function consumer(): ConsumerDir {
  const made = inject('consumer')
  if ('error' in made) throw new Error(`no consumer project: ${made.error}`)
  return made.dir
}
