import { cpus, release, totalmem } from 'node:os'
import { type GoBuildInfo, readGoBuildInfo } from './go-build-info.js'
import { runCommand } from './run-command.js'

/** The machine a run was measured on, and the versions of what ran on it. */
export interface MachineInfo {
  readonly cores: number
  readonly cpuModel: string
  readonly memoryBytes: number
  readonly kernel: string
  readonly node: string
  readonly go: string
  readonly h2load: string
  /** What the Go seed was built with (Go, golang.org/x/crypto, echo) and which Pebble ran. */
  readonly toolchain?: { readonly goSeed: GoBuildInfo; readonly pebble: string }
}

async function firstLine(command: string, args: string[]): Promise<string> {
  try {
    return (await runCommand(command, args, { timeoutMs: 10_000 })).split('\n')[0]?.trim() ?? ''
  } catch {
    return 'not installed'
  }
}

/**
 * Cores, CPU model, memory, kernel and the versions of Node, Go and h2load, for the report header;
 * given the Go seed's binary and the Pebble that runs, also what the seed was built with and
 * which Pebble.
 *
 * @example
 * const machine = await machineInfo({ goSeedBinary, pebble: pebble.install.description })
 */
export async function machineInfo(
  options: { goSeedBinary?: string; pebble?: string } = {},
): Promise<MachineInfo> {
  const cpuList = cpus()
  const { goSeedBinary, pebble } = options
  return {
    cores: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    go: await firstLine('go', ['version']),
    h2load: await firstLine('h2load', ['--version']),
    ...(goSeedBinary && pebble
      ? { toolchain: { goSeed: await readGoBuildInfo(goSeedBinary), pebble } }
      : {}),
  }
}

/**
 * One report line naming the Go, golang.org/x/crypto and echo versions the Go seed was built with
 * and the Pebble that ran; empty when unknown.
 *
 * @example
 * versionsLine(machine)
 * // 'Versions: Go seed go1.26.8, golang.org/x/crypto v0.59.0, github.com/labstack/echo/v4
 * //  v4.16.4 (module mode, Go module proxy); CA Pebble 2.10.1 (/root/go/bin/pebble).'
 */
export function versionsLine(machine: MachineInfo): string {
  if (!machine.toolchain) return ''
  const { goSeed, pebble } = machine.toolchain
  const modules = ['golang.org/x/crypto', 'github.com/labstack/echo/v4'].map(
    (path) => `${path} ${goSeed.modules[path] ?? 'unknown'}`,
  )
  const how = goSeed.source === 'module proxy' ? 'module mode, Go module proxy' : "Debian's sources"
  return `Versions: Go seed ${goSeed.go}, ${modules.join(', ')} (${how}); CA ${pebble}.`
}
