import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { REPO_ROOT, workspacePackages } from './workspace-packages.js'

const run = promisify(execFile)

/** One published package, packed as npm would publish it. */
export interface PackedPackage {
  readonly name: string
  /** The package's directory in the workspace. */
  readonly dir: string
  /** Absolute path of the tarball `pnpm pack` wrote (workspace ranges replaced by versions). */
  readonly tarball: string
}

/** A fresh npm project outside the workspace with every published package installed. */
export interface ConsumerDir {
  /** The project's directory (`"type": "module"`, `node_modules` installed by npm). */
  readonly dir: string
  readonly packages: readonly PackedPackage[]
}

/**
 * Packs every published package under `packages/` with `pnpm pack` (which needs `dist`, so
 * `pnpm build` first) and installs the tarballs with npm into a new directory in the system's
 * temporary directory, together with what the README examples use (express, fastify, tsx,
 * typescript). The versions of those come from the workspace's own manifests.
 */
export async function createConsumerDir(signal?: AbortSignal): Promise<ConsumerDir> {
  const dir = await mkdtemp(join(tmpdir(), 'autotls-consumer-'))
  try {
    return await populate(dir, signal)
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

async function populate(dir: string, signal: AbortSignal | undefined): Promise<ConsumerDir> {
  const packs = join(dir, 'packs')
  const app = join(dir, 'app')
  await mkdir(packs)
  await mkdir(app)

  const packages: PackedPackage[] = []
  for (const pkg of await workspacePackages()) {
    if (pkg.private) continue
    const built = await stat(join(pkg.dir, 'dist')).catch(() => undefined)
    if (!built) throw new Error(`${pkg.name} has no dist/: run \`pnpm build\` before this test`)
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', packs], {
      cwd: pkg.dir,
      signal,
    })
    const tarball = stdout.trim().split('\n').at(-1) ?? ''
    packages.push({ name: pkg.name, dir: pkg.dir, tarball })
  }

  const root = await manifest(REPO_ROOT)
  const manager = await manifest(join(REPO_ROOT, 'packages/manager'))
  const cacheRedis = await manifest(join(REPO_ROOT, 'packages/cache-redis'))
  const ours = Object.fromEntries(packages.map((p) => [p.name, `file:${p.tarball}`]))
  await writeFile(
    join(app, 'package.json'),
    `${JSON.stringify(
      {
        name: 'autotls-consumer',
        private: true,
        type: 'module',
        dependencies: {
          ...ours,
          express: manager.devDependencies.express,
          fastify: manager.devDependencies.fastify,
          ioredis: cacheRedis.devDependencies.ioredis,
        },
        devDependencies: {
          '@types/express': manager.devDependencies['@types/express'],
          '@types/node': root.devDependencies['@types/node'],
          tsx: root.devDependencies.tsx,
          typescript: root.devDependencies.typescript,
        },
        // Our packages depend on each other by version: take those from the tarballs too.
        overrides: ours,
      },
      null,
      2,
    )}\n`,
  )
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: app,
    signal,
  })
  return { dir: app, packages }
}

async function manifest(dir: string): Promise<{ devDependencies: Record<string, string> }> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))
}
