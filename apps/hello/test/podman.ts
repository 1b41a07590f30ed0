import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

// What podman needs on this kind of machine (no Docker engine, no systemd): see tools/dev/podman-env.sh.
const confDir = join(tmpdir(), 'autotls-podman')
mkdirSync(confDir, { recursive: true })
writeFileSync(join(confDir, 'containers.conf'), '[containers]\ndefault_ulimits = []\n')
const env = { ...process.env, CONTAINERS_CONF: join(confDir, 'containers.conf') }

/** Runs one podman command and resolves with its trimmed stdout. */
export async function podman(...args: string[]): Promise<string> {
  const { stdout } = await run(
    'podman',
    ['--runtime', '/usr/sbin/runc', '--cgroup-manager=cgroupfs', ...args],
    { env, maxBuffer: 16 * 1024 * 1024 },
  )
  return stdout.trim()
}

/** Builds the local stand-in for the official Node image (no registry is reachable here). */
export async function ensureNodeBaseImage(): Promise<string> {
  const script = fileURLToPath(new URL('../../../tools/dev/node-base-image.sh', import.meta.url))
  await run('bash', [script], { env })
  return 'localhost/node-base:24'
}

/** What a container wrote to stdout and stderr, as `podman logs` gives it. */
export async function podmanLogs(name: string): Promise<string> {
  const { stdout, stderr } = await run(
    'podman',
    ['--runtime', '/usr/sbin/runc', '--cgroup-manager=cgroupfs', 'logs', name],
    { env, maxBuffer: 16 * 1024 * 1024 },
  )
  return `${stdout}${stderr}`.trim()
}

/** The image both container tests run, built from apps/hello (layers cached between them). */
export const HELLO_IMAGE = 'localhost/autotls-hello:test'

/** Builds {@link HELLO_IMAGE} from apps/hello on the local Node base image. */
export async function buildHelloImage(): Promise<string> {
  const base = await ensureNodeBaseImage()
  const appDir = fileURLToPath(new URL('..', import.meta.url))
  await podman(
    'build',
    '-q',
    '--format',
    'docker',
    '--build-arg',
    `NODE_IMAGE=${base}`,
    '-t',
    HELLO_IMAGE,
    appDir,
  )
  return HELLO_IMAGE
}
