import { randomBytes } from 'node:crypto'
import { chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildHelloImage, HELLO_IMAGE, podman, podmanLogs } from './podman.js'
import { getWhenReady, until, verifiedGet } from './run-hello.js'

const NAME = 'container.test'
const LATER = 'later.container.test'
const IMAGE = HELLO_IMAGE
const id = randomBytes(4).toString('hex')
const volume = `hello-certs-${id}`
let pebble: Pebble
let work: string
let roots: string

beforeAll(async () => {
  await buildHelloImage()
  pebble = await startPebble()
  work = await mkdtemp(join(tmpdir(), 'hello-container-'))
  await writeFile(join(work, 'api-ca.pem'), pebble.caPem)
  roots = (await pebble.roots()).join('')
  await podman('volume', 'create', volume)
}, 240_000)

afterAll(async () => {
  // One by one: `podman rm` of several names stops at the first that does not exist.
  for (const name of ['a', 'b', 'seed', 'user', 'ready'].map((n) => `hello-${n}-${id}`)) {
    await podman('rm', '-f', '-t', '0', name).catch(() => {})
  }
  await podman('volume', 'rm', '-f', volume).catch(() => {})
  await pebble?.stop()
  await rm(work, { recursive: true, force: true })
})

/**
 * `podman run -d` of the image with the test CA, on the host network (what podman needs here):
 * `certs` is mounted at /certs, `env` comes last.
 */
async function runContainer(
  name: string,
  certs = volume,
  env: Record<string, string> = { HTTP_PORT: String(pebble.httpPort), WORKERS: '1' },
): Promise<string> {
  return podman(
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'host',
    '-v',
    `${certs}:/certs`,
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
    'HOST=127.0.0.1',
    ...Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
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
    const files = await listFiles(mountpoint)
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
    await podman('rm', '-f', '-t', '5', `hello-b-${id}`)
  })

  it("the seed's line: a root-owned 0755 host directory at /certs and the HTTPS port only: serves as uid 1000 with the certificate's files in that directory", async () => {
    const host = join(work, 'seed-certs')
    await mkdir(host, { mode: 0o755 })
    expect((await stat(host)).uid).toBe(0)
    const before = pebble.orderCount()
    // No WORKERS: the default, as the seed's line runs it.
    await runContainer(`hello-seed-${id}`, host, { HTTP_PORT: 'off' })
    const res = await getWhenReady(pebble.tlsPort, NAME, roots, 60_000)
    expect(res).toMatchObject({ status: 200, body: 'Hello, TLS!\n' })
    expect(pebble.orderCount()).toBe(before + 1)

    const pid = await podman('inspect', '-f', '{{.State.Pid}}', `hello-seed-${id}`)
    await expect
      .poll(async () => /^Uid:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1], {
        timeout: 10_000,
      })
      .toBe('1000')
    const info = await stat(host)
    expect([info.uid, info.mode & 0o777]).toEqual([1000, 0o700])
    const files = await listFiles(host)
    expect(files.some((f) => f.includes(`certs/${NAME}/`))).toBe(true)
    for (const file of files) {
      expect((await stat(file)).mode & 0o777, file).toBe(0o600)
      expect((await stat(file)).uid, file).toBe(1000)
    }
    await podman('healthcheck', 'run', `hello-seed-${id}`)
    await podman('rm', '-f', '-t', '5', `hello-seed-${id}`)
  })

  it('started with --user 1000:1000 on a root-owned 0755 host directory: exits 2 within 2 s with one line naming the fix', async () => {
    const host = join(work, 'user-certs')
    await mkdir(host, { mode: 0o755 })
    const name = `hello-user-${id}`
    await podman(
      'run',
      '--name',
      name,
      '--user',
      '1000:1000',
      '--network',
      'host',
      '-v',
      `${host}:/certs`,
      '-e',
      `DOMAINS=${NAME}`,
      '-e',
      `HTTPS_PORT=${pebble.tlsPort}`,
      '-e',
      'HTTP_PORT=off',
      '-e',
      'HOST=127.0.0.1',
      IMAGE,
    ).catch(() => {})
    try {
      const state = JSON.parse(await podman('inspect', '-f', '{{json .State}}', name)) as {
        ExitCode: number
        StartedAt: string
        FinishedAt: string
      }
      expect(state.ExitCode).toBe(2)
      expect(Date.parse(state.FinishedAt) - Date.parse(state.StartedAt)).toBeLessThan(2000)
      const logs = await podmanLogs(name)
      expect(logs.split('\n')).toEqual([
        'hello: CERTS_DIR /certs is not writable by uid 1000 (EACCES): run "chown -R 1000:1000" on that directory (for a host directory mounted at /certs, on the host), or start the container as root without --user so hello prepares it itself',
      ])
    } finally {
      await podman('rm', '-f', name).catch(() => {})
    }
  })

  it('with the cache unusable and no certificate held, the HEALTHCHECK (readiness) fails while /healthz passes; fixed, it passes and the next request is served', async () => {
    const host = join(work, 'ready-certs')
    await mkdir(host, { mode: 0o755 })
    const name = `hello-ready-${id}`
    // One worker: the directory breaks once it listens (a second worker still starting would
    // fail its start check and, by design, end the container).
    await runContainer(name, host, {
      HTTP_PORT: String(pebble.httpPort),
      DOMAINS: `${NAME},${LATER}`,
      WORKERS: '1',
    })
    try {
      await until(() => plainGet(pebble.httpPort, '/healthz'), 30_000)
      // The host directory is root's again (as the seed's line creates it), after hello started.
      await chownTree(host, 0)
      await expect(podman('healthcheck', 'run', name)).rejects.toThrow()
      expect(await plainGet(pebble.httpPort, '/healthz')).toEqual({ status: 200, body: 'ok\n' })
      expect(await plainGet(pebble.httpPort, '/readyz')).toEqual({
        status: 503,
        body: 'the certificate cache is not usable (EACCES)\n',
      })

      await chownTree(host, 1000)
      await podman('healthcheck', 'run', name)
      expect((await verifiedGet(pebble.tlsPort, LATER, roots)).body).toBe('Hello, TLS!\n')
      // Holding a certificate, it stays healthy through the next outage and says why.
      await chownTree(host, 0)
      await podman('healthcheck', 'run', name)
      expect((await plainGet(pebble.httpPort, '/readyz')).body).toMatch(
        /^serving .+ from memory, but the certificate cache is not usable \(EACCES\)/,
      )
      // That a name whose handshake failed during the outage is served at once after the fix
      // needs the manager to forget environment failures at once: lifecycle.test.ts pins it down.
      await chownTree(host, 1000)
    } catch (error) {
      // What the container said tells why.
      throw new Error(`${(error as Error).message}\n${await podmanLogs(name)}`, { cause: error })
    }
  })
})

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

async function chownTree(path: string, id: number): Promise<void> {
  await chown(path, id, id)
  if (!(await stat(path)).isDirectory()) return
  for (const entry of await readdir(path)) await chownTree(join(path, entry), id)
}

function plainGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', reject)
  })
}
