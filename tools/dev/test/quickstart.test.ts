import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const quickstart = fileURLToPath(new URL('../quickstart.ts', import.meta.url))

// Quick start command 1 (tools/dev/hello.sh) runs this script after setup and build; --once stops
// it after its verified request instead of serving until Ctrl-C.
it('the Quick start serves Hello, TLS! over HTTPS verified against the local CA', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@autotls/source', '--import', 'tsx', quickstart, '--once'],
    { timeout: 80_000 },
  )
  expect(stdout).toBe('Hello, TLS!\n')
})
