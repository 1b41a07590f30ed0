import { readdir, readFile } from 'node:fs/promises'

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return null
  }
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readText(`/proc/${pid}/status`)
  const kb = status ? /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] : undefined
  return kb === undefined ? 0 : Number(kb) * 1024
}

async function parentPids(): Promise<Map<number, number>> {
  const parents = new Map<number, number>()
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readText(`/proc/${entry}/stat`)
    // The command name in parentheses may contain spaces: the fields after its last ')' are fixed.
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields?.[1]) parents.set(Number(entry), Number(fields[1]))
  }
  return parents
}

/**
 * Resident set size, in bytes, of process `pid` and each of its descendants (a cluster primary and
 * its workers), read from `/proc`. Processes that exit meanwhile count as 0.
 *
 * @example
 * const { total, processes } = await processTreeRss(server.pid)
 */
export async function processTreeRss(
  pid: number,
): Promise<{ total: number; processes: { pid: number; rss: number }[] }> {
  const parents = await parentPids()
  const tree = [pid]
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child)
  }
  const processes = await Promise.all(tree.map(async (p) => ({ pid: p, rss: await rssBytes(p) })))
  return { total: processes.reduce((sum, p) => sum + p.rss, 0), processes }
}
