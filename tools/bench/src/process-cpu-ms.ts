import { readFile } from 'node:fs/promises'
import { BenchError } from './bench-error.js'

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`; 100 on Linux). */
const TICKS_PER_SECOND = 100

/**
 * CPU time process `pid` has used so far (user + system, every thread), in milliseconds, from
 * `/proc/<pid>/stat` (10 ms resolution). Rejects with `ERR_BENCH_PROCESS` when the process is gone.
 *
 * @example
 * const before = await processCpuMs(server.pid)
 */
export async function processCpuMs(pid: number): Promise<number> {
  let stat: string
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  } catch (cause) {
    throw new BenchError('ERR_BENCH_PROCESS', `process ${pid} is gone`, { cause })
  }
  // Fields after the command name's closing parenthesis start at field 3; utime and stime are
  // fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
}
