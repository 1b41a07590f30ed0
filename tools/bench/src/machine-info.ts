import { cpus, release, totalmem } from 'node:os'
import { runCommand } from './run-command.js'

/** The machine a run was measured on. */
export interface MachineInfo {
  readonly cores: number
  readonly cpuModel: string
  readonly memoryBytes: number
  readonly kernel: string
  readonly node: string
  readonly go: string
  readonly h2load: string
}

async function firstLine(command: string, args: string[]): Promise<string> {
  try {
    return (await runCommand(command, args, { timeoutMs: 10_000 })).split('\n')[0]?.trim() ?? ''
  } catch {
    return 'not installed'
  }
}

/**
 * Cores, CPU model, memory, kernel and the versions of Node, Go and h2load, for the report header.
 *
 * @example
 * const machine = await machineInfo()
 */
export async function machineInfo(): Promise<MachineInfo> {
  const cpuList = cpus()
  return {
    cores: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    go: await firstLine('go', ['version']),
    h2load: await firstLine('h2load', ['--version']),
  }
}
