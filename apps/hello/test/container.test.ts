import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureNodeBaseImage, podman } from './podman.js'
import { getWhenReady } from './run-hello.js'

const NAME = 'container.test'
const IMAGE = 'localhost/autotls-hello:test'
const appDir = fileURLToPath(new URL('..', import.meta.url))
const id = randomBytes(4).toString('hex')
const volume = `hello-certs-${id}`
let pebble: Pebble
let work: string
let roots: string

beforeAll(async () => {
  const base = await ensureNodeBaseImage()
  await podman(
    'build',
    '-q',
    '--format',
    'docker',
    '--build-arg',
    `NODE_IMAGE=${base}`,
    '-t',
    IMAGE,
    appDir,
  )
  pebble = await startPebble()
  work = await mkdtemp(join(tmpdir(), 'hello-container-'))
  await writeFile(join(work, 'api-ca.pem'), pebble.caPem)
  roots = (await pebble.roots()).join('')
  await podman('volume', 'create', volume)
}, 240_000)

afterAll(async () => {
  await podman('rm', '-f', '-t', '0', `hello-a-${id}`, `hello-b-${id}`).catch(() => {})
  await podman('volume', 'rm', '-f', volume).catch(() => {})
  await pebble?.stop()
  await rm(work, { recursive: true, force: true })
})

async function runContainer(name: string): Promise<string> {
  return podman(
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'host',
    '-v',
    `${volume}:/certs`,
    '-v',
    `${join(work, 'api-ca.pem')}:/etc/autotls/api-ca.pem:ro`,
    '-e',
    `DOMAINS=${NAME}`,
    '-e',
    `ACME_DIRECTORY=${pebble.directoryUrl}`,
    '-e',
    'ACME_CA_CERTS=/etc/autotls/api-ca.pem',
    '-e',
    `HTTPS_PORT=${pebble.tlsPort}`,
    '-e',
    `HTTP_PORT=${pebble.httpPort}`,
    '-e',
    'HOST=127.0.0.1',
    '-e',
    'WORKERS=1',
    IMAGE,
  )
}

describe('hello as a container', () => {
  it('serves Hello, TLS! with its own certificate, as a non-root user, keeping private files in the volume', async () => {
    await runContainer(`hello-a-${id}`)
    const res = await getWhenReady(pebble.tlsPort, NAME, roots, 60_000)
    expect(res).toMatchObject({ status: 200, body: 'Hello, TLS!\n' })
    expect(pebble.orderCount()).toBe(1)

    // The server process (seen from the host) runs as uid 1000, not root.
    const pid = await podman('inspect', '-f', '{{.State.Pid}}', `hello-a-${id}`)
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    expect(status).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m)

    // The image's HEALTHCHECK passes.
    await podman('healthcheck', 'run', `hello-a-${id}`)

    // Every file in the volume is 0600.
    const mountpoint = await podman('volume', 'inspect', '-f', '{{.Mountpoint}}', volume)
    const entries = await readdir(mountpoint, { withFileTypes: true, recursive: true })
    const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
    expect(files.length).toBeGreaterThan(1)
    for (const file of files) expect((await stat(file)).mode & 0o777, file).toBe(0o600)
  })

  it('re-created on the same volume, serves the cached certificate with zero new orders', async () => {
    await podman('rm', '-f', '-t', '5', `hello-a-${id}`)
    const before = pebble.orderCount()
    await runContainer(`hello-b-${id}`)
    const res = await getWhenReady(pebble.tlsPort, NAME, roots, 60_000)
    expect(res.body).toBe('Hello, TLS!\n')
    expect(pebble.orderCount()).toBe(before)
  })
})
