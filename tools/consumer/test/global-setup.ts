import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { TestProject } from 'vitest/node'
import { type ConsumerDir, createConsumerDir } from '../src/consumer-dir.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The installed consumer project, or why it could not be made (see test/consumer.ts). */
    consumer: { dir: ConsumerDir } | { error: string }
  }
}

/**
 * Packs and installs once for every test file of the project; removes it all afterwards. A
 * failure is handed to the files that need the installation, so the others still run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const made = await createConsumerDir().then(
    (dir) => ({ dir }),
    (error: Error) => ({ error: error.message }),
  )
  project.provide('consumer', made)
  return async () => {
    if ('dir' in made) await rm(dirname(made.dir.dir), { recursive: true, force: true })
  }
}
