import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { TestProject } from 'vitest/node'
import { type ConsumerDir, createConsumerDir } from '../src/consumer-dir.js'

declare module 'vitest' {
  export interface ProvidedContext {
    consumer: ConsumerDir
  }
}

/** Packs and installs once for every test file of the project; removes it all afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const consumer = await createConsumerDir()
  project.provide('consumer', consumer)
  return async () => {
    await rm(dirname(consumer.dir), { recursive: true, force: true })
  }
}
