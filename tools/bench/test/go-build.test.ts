import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { findPebbleInstall } from '@autotls/pebble'
import { expect, it } from 'vitest'
import { buildGoProgram } from '../src/go-build.js'
import { machineInfo, versionsLine } from '../src/machine-info.js'
import { BENCH_DIR } from '../src/repo-paths.js'
import { runCommand } from '../src/run-command.js'

const seedDir = join(BENCH_DIR, 'go-seed')

it('builds the Go seed with the x/crypto and echo of its go.mod, and the report names them, Go and Pebble', {
  timeout: 240_000,
}, async () => {
  const binary = await buildGoProgram(seedDir)
  const pebble = (await findPebbleInstall()).description
  const machine = await machineInfo({ goSeedBinary: binary, pebble })
  const seed = machine.toolchain?.goSeed
  const goMod = await readFile(join(seedDir, 'go.mod'), 'utf8')
  const pinned = (path: string) => new RegExp(`${path}\\s+(v\\S+)`).exec(goMod)?.[1]
  // Go 1.x minor versions: of the Go on the PATH, and of the go directive in go.mod.
  const minor = (text: string): number => Number(/go\s*1\.(\d+)/m.exec(text)?.[1])
  if (minor(await runCommand('go', ['version'])) >= minor(goMod)) {
    // Module mode: exactly the versions go.mod pins, from the module proxy.
    expect(seed?.source).toBe('module proxy')
    expect(seed?.modules['golang.org/x/crypto']).toBe(pinned('golang.org/x/crypto'))
    expect(seed?.modules['github.com/labstack/echo/v4']).toBe(pinned('github.com/labstack/echo/v4'))
  } else {
    expect(seed?.source).toBe('Debian')
  }
  const line = versionsLine(machine)
  expect(line).toContain(`Go seed ${seed?.go}`)
  expect(line).toContain(`golang.org/x/crypto ${seed?.modules['golang.org/x/crypto']}`)
  expect(line).toContain(
    `github.com/labstack/echo/v4 ${seed?.modules['github.com/labstack/echo/v4']}`,
  )
  expect(line).toContain(`CA ${pebble}`)
})
