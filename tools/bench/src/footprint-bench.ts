import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { freePort } from '@autotls/pebble'
import type { BenchContext } from './bench-context.js'
import { startGoSeedServer } from './go-seed-server.js'
import { startHelloServer } from './hello-server.js'
import { createLocalCertificates } from './local-ca.js'
import { rotations } from './rotations.js'
import { seedCertificateCaches } from './seed-certificate-caches.js'
import type { ServerProcess } from './server-process.js'
import { timedHttpsGet } from './timed-https-get.js'

/** How much the footprint benchmark does. */
export interface FootprintSizes {
  rounds: number
  /** How long a server sits idle after its first request before its RSS is read. */
  settleMs: number
}

/** Idle RSS of one server, in bytes, one entry per round. */
export interface FootprintFigures {
  readonly id: 'hello-1' | 'hello-all' | 'go-seed'
  readonly label: string
  readonly idleRssBytes: number[]
}

/** Result of {@link runFootprintBench}. */
export interface FootprintResult {
  readonly sizes: FootprintSizes
  readonly servers: readonly FootprintFigures[]
  /** The apps/hello bundle (every `.mjs` under `dist/`, chunks included), or null from source. */
  readonly bundle: {
    readonly bytes: number
    readonly gzipBytes: number
    readonly files: number
  } | null
  /** The Go seed's statically linked binary, its whole deployable. */
  readonly goBinaryBytes: number
}

const NAME = 'idle.bench.test'

async function bundleSize(
  file: string,
): Promise<{ bytes: number; gzipBytes: number; files: number }> {
  const dir = dirname(file)
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.mjs'))
  let bytes = 0
  let gzipBytes = 0
  for (const f of files) {
    const data = await readFile(join(dir, f))
    bytes += data.length
    gzipBytes += gzipSync(data, { level: 9 }).length
  }
  return { bytes, gzipBytes, files: files.length }
}

/**
 * Idle footprint: the RSS of apps/hello (1 worker, and one per core: primary plus workers) and of
 * the Go seed, each freshly started with one cached certificate, after one request and
 * `settleMs` of idleness; plus the size of the app bundle and of the Go binary.
 *
 * @example
 * const result = await runFootprintBench(context, { rounds: 3, settleMs: 2000 })
 */
export async function runFootprintBench(
  context: BenchContext,
  sizes: FootprintSizes,
): Promise<FootprintResult> {
  const { signal } = context
  const certs = await createLocalCertificates([NAME], { signal })
  const dir = await mkdtemp(join(tmpdir(), 'autotls-bench-idle-'))
  try {
    const common = {
      domains: [NAME],
      directoryUrl: context.pebble.directoryUrl,
      caFile: context.pebbleCaFile,
      signal,
    }
    const servers: {
      figures: FootprintFigures
      start: (certsDir: string) => Promise<ServerProcess>
    }[] = [
      {
        figures: { id: 'hello-1', label: 'apps/hello, 1 worker', idleRssBytes: [] },
        start: async (certsDir) =>
          startHelloServer({
            ...common,
            entry: context.hello,
            nodeOptions: context.helloNodeOptions,
            port: await freePort(),
            certsDir,
            workers: 1,
          }),
      },
      {
        figures: {
          id: 'hello-all',
          label: `apps/hello, ${context.cores} workers`,
          idleRssBytes: [],
        },
        start: async (certsDir) =>
          startHelloServer({
            ...common,
            entry: context.hello,
            nodeOptions: context.helloNodeOptions,
            port: await freePort(),
            certsDir,
            workers: context.cores,
          }),
      },
      {
        figures: { id: 'go-seed', label: 'Go seed (echo + autocert)', idleRssBytes: [] },
        start: async (certsDir) =>
          startGoSeedServer({
            ...common,
            binary: context.goSeed,
            port: await freePort(),
            certsDir,
          }),
      },
    ]
    for (const [round, order] of rotations(servers, sizes.rounds).entries()) {
      for (const { figures, start } of order) {
        const certsDir = join(dir, `${figures.id}-${round}`)
        await seedCertificateCaches(certs, {
          ...(figures.id === 'go-seed' ? { autocertDir: certsDir } : { managerDir: certsDir }),
          signal,
        })
        const server = await start(certsDir)
        try {
          await timedHttpsGet({ port: server.port, servername: NAME, ca: certs.rootPem, signal })
          await new Promise((resolve) => setTimeout(resolve, sizes.settleMs))
          figures.idleRssBytes.push(await server.rss())
          context.log(
            `footprint round ${round + 1} ${figures.label}: ${((figures.idleRssBytes.at(-1) ?? 0) / 2 ** 20).toFixed(1)} MiB`,
          )
        } finally {
          await server.stop()
        }
      }
    }
    return {
      sizes,
      servers: servers.map((s) => s.figures),
      bundle: context.hello.kind === 'bundle' ? await bundleSize(context.hello.file) : null,
      goBinaryBytes: (await stat(context.goSeed)).size,
    }
  } finally {
    await certs.remove()
    await rm(dir, { recursive: true, force: true })
  }
}
