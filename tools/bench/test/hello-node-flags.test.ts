import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HELLO_NODE_FLAGS } from '../src/hello-server.js'
import { HELLO_DIR } from '../src/repo-paths.js'

describe('HELLO_NODE_FLAGS (the benchmarks run hello as its container does)', () => {
  it("equals the Node flags of apps/hello's Dockerfile ENTRYPOINT", async () => {
    const dockerfile = await readFile(join(HELLO_DIR, 'Dockerfile'), 'utf8')
    const lines = dockerfile.split('\n').filter((line) => line.startsWith('ENTRYPOINT '))
    expect(lines).toHaveLength(1)
    const entrypoint = JSON.parse((lines[0] as string).slice('ENTRYPOINT '.length)) as string[]
    expect(entrypoint).toEqual(['node', ...HELLO_NODE_FLAGS, '/app/hello.mjs'])
  })
})
